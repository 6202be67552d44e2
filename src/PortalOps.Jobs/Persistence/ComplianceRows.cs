using Microsoft.EntityFrameworkCore;

namespace PortalOps.Jobs.Persistence;

/// <summary>One saved version of a policy's YAML.</summary>
internal sealed class CompliancePolicyVersionRow
{
    public string PolicyId { get; set; } = string.Empty;

    public int Version { get; set; }

    public string Source { get; set; } = string.Empty;

    public string Author { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A policy's on/off switch (a row only once someone changed it; built-ins are on without one).</summary>
internal sealed class CompliancePolicySettingRow
{
    public string PolicyId { get; set; } = string.Empty;

    public bool Enabled { get; set; }

    public string ChangedBy { get; set; } = string.Empty;

    public DateTimeOffset ChangedAt { get; set; }
}

/// <summary>A finding, with the footprint columns <see cref="FootprintFilter"/> reads to scope pages in SQL.</summary>
internal sealed class ComplianceFindingRow
{
    public Guid Id { get; set; }

    public string Key { get; set; } = string.Empty;

    public string PolicyId { get; set; } = string.Empty;

    public string Severity { get; set; } = string.Empty;

    /// <summary>The severity as a number, so "at least high" is one comparison.</summary>
    public int SeverityRank { get; set; }

    public string ResourceType { get; set; } = string.Empty;

    public string ResourceId { get; set; } = string.Empty;

    public string ResourceName { get; set; } = string.Empty;

    public string? Owner { get; set; }

    public string Evidence { get; set; } = string.Empty;

    public string Status { get; set; } = string.Empty;

    public DateTimeOffset FirstSeen { get; set; }

    public DateTimeOffset LastSeen { get; set; }

    public DateTimeOffset? ResolvedAt { get; set; }

    public int TimesReopened { get; set; }

    public Guid? WaiverId { get; set; }

    /// <summary>The resource's tags (JSON object).</summary>
    public string Tags { get; set; } = "{}";

    /// <summary>JSON array of the finding's history.</summary>
    public string History { get; set; } = "[]";

    public string FootprintAccount { get; set; } = string.Empty;

    public string FootprintRegion { get; set; } = string.Empty;

    public string? FootprintTags { get; set; }
}

internal sealed class ComplianceWaiverRow
{
    public Guid Id { get; set; }

    public string PolicyId { get; set; } = string.Empty;

    public Guid? FindingId { get; set; }

    public string? TagKey { get; set; }

    public string? TagValue { get; set; }

    public string Reason { get; set; } = string.Empty;

    public string Owner { get; set; } = string.Empty;

    public DateTimeOffset ExpiresAt { get; set; }

    public string GrantedBy { get; set; } = string.Empty;

    public DateTimeOffset GrantedAt { get; set; }

    public DateTimeOffset? ExpiryNotifiedAt { get; set; }
}

/// <summary>One scan's tally for one policy in one account × region (the trend and the scores).</summary>
internal sealed class ComplianceTallyRow
{
    public long Id { get; set; }

    public Guid ScanId { get; set; }

    public DateTimeOffset At { get; set; }

    public string PolicyId { get; set; } = string.Empty;

    public string Account { get; set; } = string.Empty;

    public string Region { get; set; } = string.Empty;

    public int Evaluated { get; set; }

    public int Violating { get; set; }
}

/// <summary>One scan: when, and which account × regions could not be read.</summary>
internal sealed class ComplianceScanRow
{
    public Guid Id { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>JSON array of "account/region: error" lines.</summary>
    public string FailedScopes { get; set; } = "[]";
}

/// <summary>The compliance tables' shape (kept beside the rows so the context only calls it).</summary>
internal static class ComplianceModel
{
    private const int IdLength = 64;
    private const int NameLength = 200;
    private const int EnumLength = 32;

    public static void Configure(ModelBuilder model)
    {
        var version = model.Entity<CompliancePolicyVersionRow>();
        version.ToTable("CompliancePolicyVersions");
        version.HasKey(v => new { v.PolicyId, v.Version });
        version.Property(v => v.PolicyId).HasMaxLength(IdLength);
        version.Property(v => v.Author).HasMaxLength(NameLength);

        var setting = model.Entity<CompliancePolicySettingRow>();
        setting.ToTable("CompliancePolicySettings");
        setting.HasKey(s => s.PolicyId);
        setting.Property(s => s.PolicyId).HasMaxLength(IdLength);
        setting.Property(s => s.ChangedBy).HasMaxLength(NameLength);

        var finding = model.Entity<ComplianceFindingRow>();
        finding.ToTable("ComplianceFindings");
        finding.HasKey(f => f.Id);
        finding.Property(f => f.Id).ValueGeneratedNever();
        finding.Property(f => f.Key).HasMaxLength(400);
        finding.Property(f => f.PolicyId).HasMaxLength(IdLength);
        finding.Property(f => f.Severity).HasMaxLength(EnumLength);
        finding.Property(f => f.ResourceType).HasMaxLength(EnumLength);
        finding.Property(f => f.ResourceId).HasMaxLength(NameLength);
        finding.Property(f => f.ResourceName).HasMaxLength(NameLength);
        finding.Property(f => f.Owner).HasMaxLength(NameLength);
        finding.Property(f => f.Status).HasMaxLength(EnumLength);
        finding.Property(f => f.FootprintAccount).HasMaxLength(EnumLength);
        finding.Property(f => f.FootprintRegion).HasMaxLength(EnumLength);
        finding.HasIndex(f => f.Key).IsUnique();
        finding.HasIndex(f => new { f.PolicyId, f.Status });
        finding.HasIndex(f => new { f.Status, f.SeverityRank });
        finding.HasIndex(f => new { f.FootprintAccount, f.FootprintRegion });

        var waiver = model.Entity<ComplianceWaiverRow>();
        waiver.ToTable("ComplianceWaivers");
        waiver.HasKey(w => w.Id);
        waiver.Property(w => w.Id).ValueGeneratedNever();
        waiver.Property(w => w.PolicyId).HasMaxLength(IdLength);
        waiver.Property(w => w.TagKey).HasMaxLength(128);
        waiver.Property(w => w.TagValue).HasMaxLength(256);
        waiver.Property(w => w.Reason).HasMaxLength(2000);
        waiver.Property(w => w.Owner).HasMaxLength(NameLength);
        waiver.Property(w => w.GrantedBy).HasMaxLength(NameLength);
        waiver.HasIndex(w => w.ExpiresAt);

        var tally = model.Entity<ComplianceTallyRow>();
        tally.ToTable("ComplianceTallies");
        tally.HasKey(t => t.Id);
        tally.Property(t => t.PolicyId).HasMaxLength(IdLength);
        tally.Property(t => t.Account).HasMaxLength(EnumLength);
        tally.Property(t => t.Region).HasMaxLength(EnumLength);
        tally.HasIndex(t => t.At);
        tally.HasIndex(t => t.ScanId);

        var scan = model.Entity<ComplianceScanRow>();
        scan.ToTable("ComplianceScans");
        scan.HasKey(s => s.Id);
        scan.Property(s => s.Id).ValueGeneratedNever();
        scan.HasIndex(s => s.At);
    }
}
