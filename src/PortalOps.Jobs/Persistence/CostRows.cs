using Microsoft.EntityFrameworkCore;

namespace PortalOps.Jobs.Persistence;

/// <summary>A current cost recommendation, with the footprint columns <see cref="FootprintFilter"/> reads to scope pages in SQL.</summary>
internal sealed class CostRecommendationRow
{
    /// <summary>Kind and resource (<see cref="Domain.Costs.Recommendation.Key"/>).</summary>
    public string Key { get; set; } = string.Empty;

    public string Kind { get; set; } = string.Empty;

    public string ResourceId { get; set; } = string.Empty;

    public string ResourceName { get; set; } = string.Empty;

    public string? CurrentType { get; set; }

    public string? TargetType { get; set; }

    /// <summary>The monthly saving in cents (an integer sorts and sums the same on SQLite and PostgreSQL).</summary>
    public long SavingCents { get; set; }

    public int Confidence { get; set; }

    /// <summary>JSON array of evidence lines.</summary>
    public string Evidence { get; set; } = "[]";

    /// <summary>The resource's tags (JSON object).</summary>
    public string Tags { get; set; } = "{}";

    public DateTimeOffset FoundAt { get; set; }

    /// <summary>The scan day (yyyy-MM-dd) that last found it.</summary>
    public string ScanDay { get; set; } = string.Empty;

    public string? AppliedSummary { get; set; }

    public DateTimeOffset? AppliedAt { get; set; }

    public string FootprintAccount { get; set; } = string.Empty;

    public string FootprintRegion { get; set; } = string.Empty;

    public string? FootprintTags { get; set; }
}

/// <summary>A dismissal; it outlives the recommendation's row, so a finding that comes back the next day stays dismissed.</summary>
internal sealed class CostDismissalRow
{
    public string RecommendationKey { get; set; } = string.Empty;

    public string Reason { get; set; } = string.Empty;

    /// <summary>Expiry as Unix milliseconds (compared in SQL on both providers).</summary>
    public long UntilMs { get; set; }

    public Guid By { get; set; }

    public string ByName { get; set; } = string.Empty;

    public DateTimeOffset At { get; set; }
}

/// <summary>One scan per day (the key): a second run the same day replaces the row.</summary>
internal sealed class CostScanRow
{
    public string Day { get; set; } = string.Empty;

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset FinishedAt { get; set; }

    public int Instances { get; set; }

    public int Recommendations { get; set; }

    public long SavingCents { get; set; }

    public int MetricCalls { get; set; }

    /// <summary>JSON array of errors.</summary>
    public string Errors { get; set; } = "[]";
}

/// <summary>The cost tables' shape.</summary>
internal static class CostsModel
{
    private const int KeyLength = 400;
    private const int NameLength = 200;
    private const int ShortLength = 32;

    public static void Configure(ModelBuilder model)
    {
        var rec = model.Entity<CostRecommendationRow>();
        rec.ToTable("CostRecommendations");
        rec.HasKey(r => r.Key);
        rec.Property(r => r.Key).HasMaxLength(KeyLength);
        rec.Property(r => r.Kind).HasMaxLength(ShortLength);
        rec.Property(r => r.ResourceId).HasMaxLength(NameLength);
        rec.Property(r => r.ResourceName).HasMaxLength(NameLength);
        rec.Property(r => r.CurrentType).HasMaxLength(ShortLength);
        rec.Property(r => r.TargetType).HasMaxLength(ShortLength);
        rec.Property(r => r.ScanDay).HasMaxLength(10);
        rec.Property(r => r.AppliedSummary).HasMaxLength(2000);
        rec.Property(r => r.FootprintAccount).HasMaxLength(ShortLength);
        rec.Property(r => r.FootprintRegion).HasMaxLength(ShortLength);
        rec.HasIndex(r => r.SavingCents);
        rec.HasIndex(r => new { r.FootprintAccount, r.FootprintRegion });

        var dismissal = model.Entity<CostDismissalRow>();
        dismissal.ToTable("CostDismissals");
        dismissal.HasKey(d => d.RecommendationKey);
        dismissal.Property(d => d.RecommendationKey).HasMaxLength(KeyLength);
        dismissal.Property(d => d.Reason).HasMaxLength(2000);
        dismissal.Property(d => d.ByName).HasMaxLength(NameLength);
        dismissal.HasIndex(d => d.UntilMs);

        var scan = model.Entity<CostScanRow>();
        scan.ToTable("CostScans");
        scan.HasKey(s => s.Day);
        scan.Property(s => s.Day).HasMaxLength(10);

        CostPricesModel.Configure(model);
    }
}
