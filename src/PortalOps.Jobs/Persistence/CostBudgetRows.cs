using Microsoft.EntityFrameworkCore;

namespace PortalOps.Jobs.Persistence;

/// <summary>A monthly budget, one per scope (the key), with the footprint columns <see cref="FootprintFilter"/> scopes reads by.</summary>
internal sealed class CostBudgetRow
{
    /// <summary><see cref="Domain.Costs.BudgetScope.Key"/>.</summary>
    public string Key { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string Account { get; set; } = string.Empty;

    public string? TagKey { get; set; }

    public string? TagValue { get; set; }

    public long AmountCents { get; set; }

    /// <summary>Percentages, comma-separated.</summary>
    public string Thresholds { get; set; } = "50,80,100";

    public bool AlertOnForecast { get; set; }

    public int Version { get; set; }

    public string UpdatedBy { get; set; } = string.Empty;

    public DateTimeOffset UpdatedAt { get; set; }

    public string FootprintAccount { get; set; } = string.Empty;

    public string FootprintRegion { get; set; } = string.Empty;

    public string? FootprintTags { get; set; }
}

/// <summary>An applied recommendation with the resource's monthly cost before and after, and whether it was carried out.</summary>
internal sealed class CostSavingRow
{
    public Guid Id { get; set; }

    public string RecommendationKey { get; set; } = string.Empty;

    public string Kind { get; set; } = string.Empty;

    public string ResourceId { get; set; } = string.Empty;

    public string ResourceName { get; set; } = string.Empty;

    public string Description { get; set; } = string.Empty;

    /// <summary>The resource's tags (JSON object).</summary>
    public string Tags { get; set; } = "{}";

    public long BeforeCents { get; set; }

    public long AfterCents { get; set; }

    public Guid? ApprovalId { get; set; }

    public DateTimeOffset RequestedAt { get; set; }

    public string RequestedBy { get; set; } = string.Empty;

    public int State { get; set; }

    public DateTimeOffset? RealizedAt { get; set; }

    public string? Outcome { get; set; }

    public string FootprintAccount { get; set; } = string.Empty;

    public string FootprintRegion { get; set; } = string.Empty;

    public string? FootprintTags { get; set; }
}

/// <summary>A chat that gets the weekly cost digest, read with the rights of the person who subscribed it.</summary>
internal sealed class CostDigestSubscriptionRow
{
    public long ChatId { get; set; }

    public Guid UserId { get; set; }

    public string UserName { get; set; } = string.Empty;

    public DateTimeOffset SubscribedAt { get; set; }
}

/// <summary>One digest per chat and ISO week (the key): a second run of the weekly job finds it and sends nothing.</summary>
internal sealed class CostDigestRow
{
    public long ChatId { get; set; }

    /// <summary>"2026-W48".</summary>
    public string Week { get; set; } = string.Empty;

    public DateTimeOffset SentAt { get; set; }
}

/// <summary>The budget, savings and digest tables' shape.</summary>
internal static class CostBudgetsModel
{
    public static void Configure(ModelBuilder model)
    {
        var budget = model.Entity<CostBudgetRow>();
        budget.ToTable("CostBudgets");
        budget.HasKey(b => b.Key);
        budget.Property(b => b.Key).HasMaxLength(420);
        budget.Property(b => b.Name).HasMaxLength(100);
        budget.Property(b => b.Account).HasMaxLength(32);
        budget.Property(b => b.TagKey).HasMaxLength(128);
        budget.Property(b => b.TagValue).HasMaxLength(256);
        budget.Property(b => b.Thresholds).HasMaxLength(64);
        budget.Property(b => b.UpdatedBy).HasMaxLength(200);
        budget.Property(b => b.FootprintAccount).HasMaxLength(32);
        budget.Property(b => b.FootprintRegion).HasMaxLength(32);

        var saving = model.Entity<CostSavingRow>();
        saving.ToTable("CostSavings");
        saving.HasKey(s => s.Id);
        saving.Property(s => s.RecommendationKey).HasMaxLength(400);
        saving.Property(s => s.Kind).HasMaxLength(32);
        saving.Property(s => s.ResourceId).HasMaxLength(200);
        saving.Property(s => s.ResourceName).HasMaxLength(200);
        saving.Property(s => s.Description).HasMaxLength(500);
        saving.Property(s => s.RequestedBy).HasMaxLength(200);
        saving.Property(s => s.Outcome).HasMaxLength(2000);
        saving.Property(s => s.FootprintAccount).HasMaxLength(32);
        saving.Property(s => s.FootprintRegion).HasMaxLength(32);
        saving.HasIndex(s => s.State);
        saving.HasIndex(s => s.RequestedAt);

        var subscription = model.Entity<CostDigestSubscriptionRow>();
        subscription.ToTable("CostDigestSubscriptions");
        subscription.HasKey(s => s.ChatId);
        subscription.Property(s => s.ChatId).ValueGeneratedNever();
        subscription.Property(s => s.UserName).HasMaxLength(200);

        var digest = model.Entity<CostDigestRow>();
        digest.ToTable("CostDigests");
        digest.HasKey(d => new { d.ChatId, d.Week });
        digest.Property(d => d.Week).HasMaxLength(10);
    }
}
