using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Patching;

namespace PortalOps.Jobs.Persistence;

// Patching tables. Instances are keyed by "account/region/instance-id" (InstanceRef's text form).

/// <summary>One version of a baseline; every edit adds a row.</summary>
internal sealed class PatchBaselineRow
{
    public Guid Id { get; set; }

    public int Version { get; set; }

    public string Name { get; set; } = string.Empty;

    public string OperatingSystem { get; set; } = string.Empty;

    public string Classifications { get; set; } = "[]";

    public string Severities { get; set; } = "[]";

    public int ApproveAfterDays { get; set; }

    public string ApprovedPatches { get; set; } = "[]";

    public string RejectedPatches { get; set; } = "[]";

    public Guid UpdatedBy { get; set; }

    public string UpdatedByName { get; set; } = string.Empty;

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class PatchGroupRow
{
    public string Name { get; set; } = string.Empty;

    public string TagKey { get; set; } = string.Empty;

    public string TagValue { get; set; } = string.Empty;

    /// <summary>JSON: operating system → baseline id.</summary>
    public string Baselines { get; set; } = "{}";
}

internal sealed class InstancePatchStateRow
{
    public string Instance { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string AccountId { get; set; } = string.Empty;

    public string Region { get; set; } = string.Empty;

    public string? PatchGroup { get; set; }

    public AgentPing Ping { get; set; }

    public string? PlatformName { get; set; }

    public string? AgentVersion { get; set; }

    public DateTimeOffset? LastPing { get; set; }

    public string? AgentReason { get; set; }

    public string? AgentFix { get; set; }

    public string? BaselineId { get; set; }

    public int Installed { get; set; }

    public int Missing { get; set; }

    public int Failed { get; set; }

    public int InstalledPendingReboot { get; set; }

    public int CriticalNonCompliant { get; set; }

    public int SecurityNonCompliant { get; set; }

    public int OtherNonCompliant { get; set; }

    /// <summary>The compliance level the counts give (a scan older than the stale limit is read as unknown).</summary>
    public PatchComplianceLevel Compliance { get; set; }

    public DateTimeOffset? LastScanAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string? FootprintAccount { get; set; }

    public string? FootprintRegion { get; set; }

    public string? FootprintTags { get; set; }
}

internal sealed class PatchComplianceTrendRow
{
    public DateOnly Day { get; set; }

    public string AccountId { get; set; } = string.Empty;

    public string Region { get; set; } = string.Empty;

    public int Compliant { get; set; }

    public int Critical { get; set; }

    public int Security { get; set; }

    public int Other { get; set; }

    public int Unknown { get; set; }

    public string? FootprintAccount { get; set; }

    public string? FootprintRegion { get; set; }

    public string? FootprintTags { get; set; }
}

/// <summary>When the Scan was last sent to an account and region (so the job run twice sends it once).</summary>
internal sealed class PatchScanClaimRow
{
    public string Scope { get; set; } = string.Empty;

    public DateTimeOffset ClaimedAt { get; set; }
}

internal sealed class PatchRunRow
{
    public Guid Id { get; set; }

    public string IdempotencyKey { get; set; } = string.Empty;

    public string GroupName { get; set; } = string.Empty;

    public int CanaryPercent { get; set; }

    public int BatchPercent { get; set; }

    public RebootPolicy Reboot { get; set; }

    public int HealthQuietMinutes { get; set; }

    public Guid WindowId { get; set; }

    public string WindowName { get; set; } = string.Empty;

    public DateTimeOffset WindowEndsAt { get; set; }

    public Guid RequestedBy { get; set; }

    public string RequestedByName { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public PatchRunStatus Status { get; set; }

    public bool IsActive { get; set; }

    public string? StatusReason { get; set; }

    public Guid? ApprovalId { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public int Version { get; set; }

    /// <summary>JSON: the waves, in order.</summary>
    public string Waves { get; set; } = "[]";

    public string? FootprintAccount { get; set; }

    public string? FootprintRegion { get; set; }

    public string? FootprintTags { get; set; }
}

/// <summary>One instance of a run: its wave, status, install command and the first 2,500 characters of its output.</summary>
internal sealed class PatchRunTargetRow
{
    public Guid RunId { get; set; }

    public string Instance { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public int Wave { get; set; }

    public PatchTargetStatus Status { get; set; }

    public string? CommandId { get; set; }

    public string? Reason { get; set; }

    public string? Output { get; set; }

    public bool OutputTruncated { get; set; }

    public int? ResponseCode { get; set; }

    public DateTimeOffset? SendingSince { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}

/// <summary>The patching tables' shape, configured from <see cref="PortalDbContext"/>.</summary>
internal static class PatchingModel
{
    private const int NameLength = 200;
    private const int EnumLength = 32;
    private const int InstanceLength = 100;

    public static void Configure(ModelBuilder model)
    {
        var baseline = model.Entity<PatchBaselineRow>();
        baseline.ToTable("PatchBaselines");
        baseline.HasKey(b => new { b.Id, b.Version });
        baseline.Property(b => b.Name).HasMaxLength(NameLength);
        baseline.Property(b => b.OperatingSystem).HasMaxLength(EnumLength);
        baseline.Property(b => b.UpdatedByName).HasMaxLength(NameLength);

        var group = model.Entity<PatchGroupRow>();
        group.ToTable("PatchGroups");
        group.HasKey(g => g.Name);
        group.Property(g => g.Name).HasMaxLength(NameLength);
        group.Property(g => g.TagKey).HasMaxLength(128);
        group.Property(g => g.TagValue).HasMaxLength(256);

        var state = model.Entity<InstancePatchStateRow>();
        state.ToTable("InstancePatchStates");
        state.HasKey(s => s.Instance);
        state.Property(s => s.Instance).HasMaxLength(InstanceLength);
        state.Property(s => s.Name).HasMaxLength(NameLength);
        state.Property(s => s.AccountId).HasMaxLength(EnumLength);
        state.Property(s => s.Region).HasMaxLength(EnumLength);
        state.Property(s => s.PatchGroup).HasMaxLength(NameLength);
        state.Property(s => s.Ping).HasConversion<string>().HasMaxLength(EnumLength);
        state.Property(s => s.Compliance).HasConversion<string>().HasMaxLength(EnumLength);
        state.Property(s => s.PlatformName).HasMaxLength(NameLength);
        state.Property(s => s.AgentVersion).HasMaxLength(EnumLength);
        state.Property(s => s.AgentReason).HasMaxLength(1000);
        state.Property(s => s.AgentFix).HasMaxLength(1000);
        state.Property(s => s.BaselineId).HasMaxLength(NameLength);
        state.HasIndex(s => new { s.FootprintAccount, s.FootprintRegion });
        state.HasIndex(s => s.Compliance);
        state.HasIndex(s => s.PatchGroup);

        var trend = model.Entity<PatchComplianceTrendRow>();
        trend.ToTable("PatchComplianceTrend");
        trend.HasKey(t => new { t.Day, t.AccountId, t.Region });
        trend.Property(t => t.AccountId).HasMaxLength(EnumLength);
        trend.Property(t => t.Region).HasMaxLength(EnumLength);

        var claim = model.Entity<PatchScanClaimRow>();
        claim.ToTable("PatchScanClaims");
        claim.HasKey(c => c.Scope);
        claim.Property(c => c.Scope).HasMaxLength(InstanceLength);

        var run = model.Entity<PatchRunRow>();
        run.ToTable("PatchRuns");
        run.HasKey(r => r.Id);
        run.Property(r => r.Id).ValueGeneratedNever();
        run.Property(r => r.IdempotencyKey).HasMaxLength(NameLength);
        run.HasIndex(r => r.IdempotencyKey).IsUnique();
        run.Property(r => r.GroupName).HasMaxLength(NameLength);
        run.Property(r => r.WindowName).HasMaxLength(NameLength);
        run.Property(r => r.RequestedByName).HasMaxLength(NameLength);
        run.Property(r => r.Reboot).HasConversion<string>().HasMaxLength(EnumLength);
        run.Property(r => r.Status).HasConversion<string>().HasMaxLength(EnumLength);
        run.Property(r => r.StatusReason).HasMaxLength(2000);
        run.HasIndex(r => r.IsActive);
        run.HasIndex(r => r.CreatedAt);

        var target = model.Entity<PatchRunTargetRow>();
        target.ToTable("PatchRunTargets");
        target.HasKey(t => new { t.RunId, t.Instance });
        target.Property(t => t.Instance).HasMaxLength(InstanceLength);
        target.Property(t => t.Name).HasMaxLength(NameLength);
        target.Property(t => t.Status).HasConversion<string>().HasMaxLength(EnumLength);
        target.Property(t => t.CommandId).HasMaxLength(64);
        target.Property(t => t.Reason).HasMaxLength(2000);
        target.Property(t => t.Output).HasMaxLength(PatchRunTarget.MaxOutput);
    }
}
