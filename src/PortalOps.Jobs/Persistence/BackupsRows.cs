using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Backups;

namespace PortalOps.Jobs.Persistence;

// Backup tables. A policy's settings and a run's items are JSON columns; what pages filter and sort on are columns of their own.

/// <summary>One version of a backup policy; every edit adds a row.</summary>
internal sealed class BackupPolicyRow
{
    public Guid Id { get; set; }

    public int Version { get; set; }

    public string Name { get; set; } = string.Empty;

    public bool Enabled { get; set; }

    /// <summary>JSON of the policy's settings (<see cref="BackupPolicyDraft"/>).</summary>
    public string Content { get; set; } = "{}";

    public DateTimeOffset CreatedAt { get; set; }

    public Guid UpdatedBy { get; set; }

    public string UpdatedByName { get; set; } = string.Empty;

    public DateTimeOffset UpdatedAt { get; set; }

    public string? FootprintAccount { get; set; }

    public string? FootprintRegion { get; set; }

    public string? FootprintTags { get; set; }
}

/// <summary>One backup run (one window of one rule); <see cref="Key"/> is unique so a window runs once across nodes.</summary>
internal sealed class BackupRunRow
{
    public Guid Id { get; set; }

    public string Key { get; set; } = string.Empty;

    public Guid PolicyId { get; set; }

    public int PolicyVersion { get; set; }

    public string PolicyName { get; set; } = string.Empty;

    public string RuleName { get; set; } = string.Empty;

    public DateTimeOffset WindowStart { get; set; }

    public string AccountId { get; set; } = string.Empty;

    public string Region { get; set; } = string.Empty;

    public string Tags { get; set; } = "{}";

    public BackupKind Kind { get; set; }

    public BackupRunStatus Status { get; set; }

    /// <summary>Still to be stepped: running, or finished but not pruned yet.</summary>
    public bool IsActive { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public int Succeeded { get; set; }

    public int Failed { get; set; }

    public int Total { get; set; }

    public int Pruned { get; set; }

    public string? PruneNote { get; set; }

    public bool PruneDone { get; set; }

    public int Version { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>JSON of the run's items.</summary>
    public string Items { get; set; } = "[]";

    public string? FootprintAccount { get; set; }

    public string? FootprintRegion { get; set; }

    public string? FootprintTags { get; set; }
}

/// <summary>The latest backup of one instance under one policy: what the RPO report reads.</summary>
internal sealed class BackupProtectionRow
{
    public Guid PolicyId { get; set; }

    public string Instance { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string PolicyName { get; set; } = string.Empty;

    public int RpoHours { get; set; }

    public bool Copies { get; set; }

    public DateTimeOffset? LastBackupAt { get; set; }

    public DateTimeOffset? LastCopyAt { get; set; }

    public DateTimeOffset? FirstAttemptAt { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    /// <summary>When the RPO is missed unless a newer backup succeeds (the grid sorts and filters on it).</summary>
    public DateTimeOffset? DueBy { get; set; }

    public string? LastError { get; set; }

    public string? FootprintAccount { get; set; }

    public string? FootprintRegion { get; set; }

    public string? FootprintTags { get; set; }
}

/// <summary>One DR drill; its instances are a JSON column.</summary>
internal sealed class BackupDrillRow
{
    public Guid Id { get; set; }

    public Guid RequestedBy { get; set; }

    public string RequestedByName { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset Deadline { get; set; }

    public string? InstanceType { get; set; }

    public DrillStatus Status { get; set; }

    public bool IsActive { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The drill's RTO in seconds (the slowest instance), once every instance recovered.</summary>
    public double? RtoSeconds { get; set; }

    public int Total { get; set; }

    public int Recovered { get; set; }

    public int Version { get; set; }

    public string Items { get; set; } = "[]";

    public string? FootprintAccount { get; set; }

    public string? FootprintRegion { get; set; }

    public string? FootprintTags { get; set; }
}

/// <summary>A notification already sent (a missed RPO per policy, instance and due time), so it is sent once.</summary>
internal sealed class BackupNoticeRow
{
    public string Key { get; set; } = string.Empty;

    public DateTimeOffset SentAt { get; set; }
}

internal static class BackupsModel
{
    private const int NameLength = 200;
    private const int EnumLength = 32;

    public static void Configure(ModelBuilder model)
    {
        var policy = model.Entity<BackupPolicyRow>();
        policy.ToTable("BackupPolicies");
        policy.HasKey(p => new { p.Id, p.Version });
        policy.Property(p => p.Name).HasMaxLength(NameLength);
        policy.Property(p => p.UpdatedByName).HasMaxLength(NameLength);
        policy.Property(p => p.FootprintAccount).HasMaxLength(EnumLength);
        policy.Property(p => p.FootprintRegion).HasMaxLength(EnumLength);

        var run = model.Entity<BackupRunRow>();
        run.ToTable("BackupRuns");
        run.HasKey(r => r.Id);
        run.Property(r => r.Id).ValueGeneratedNever();
        run.Property(r => r.Key).HasMaxLength(NameLength);
        run.HasIndex(r => r.Key).IsUnique();
        run.Property(r => r.PolicyName).HasMaxLength(NameLength);
        run.Property(r => r.RuleName).HasMaxLength(64);
        run.Property(r => r.AccountId).HasMaxLength(EnumLength);
        run.Property(r => r.Region).HasMaxLength(EnumLength);
        run.Property(r => r.Kind).HasConversion<string>().HasMaxLength(EnumLength);
        run.Property(r => r.Status).HasConversion<string>().HasMaxLength(EnumLength);
        run.Property(r => r.PruneNote).HasMaxLength(4000);
        run.Property(r => r.FootprintAccount).HasMaxLength(EnumLength);
        run.Property(r => r.FootprintRegion).HasMaxLength(EnumLength);
        run.HasIndex(r => r.IsActive);
        run.HasIndex(r => new { r.PolicyId, r.CreatedAt });
        run.HasIndex(r => r.CreatedAt);

        var protection = model.Entity<BackupProtectionRow>();
        protection.ToTable("BackupProtection");
        protection.HasKey(p => new { p.PolicyId, p.Instance });
        protection.Property(p => p.Instance).HasMaxLength(100);
        protection.Property(p => p.Name).HasMaxLength(NameLength);
        protection.Property(p => p.PolicyName).HasMaxLength(NameLength);
        protection.Property(p => p.LastError).HasMaxLength(2000);
        protection.Property(p => p.FootprintAccount).HasMaxLength(EnumLength);
        protection.Property(p => p.FootprintRegion).HasMaxLength(EnumLength);
        protection.HasIndex(p => new { p.FootprintAccount, p.FootprintRegion });
        protection.HasIndex(p => p.DueBy);

        var drill = model.Entity<BackupDrillRow>();
        drill.ToTable("BackupDrills");
        drill.HasKey(d => d.Id);
        drill.Property(d => d.Id).ValueGeneratedNever();
        drill.Property(d => d.RequestedByName).HasMaxLength(NameLength);
        drill.Property(d => d.InstanceType).HasMaxLength(EnumLength);
        drill.Property(d => d.Status).HasConversion<string>().HasMaxLength(EnumLength);
        drill.Property(d => d.FootprintAccount).HasMaxLength(EnumLength);
        drill.Property(d => d.FootprintRegion).HasMaxLength(EnumLength);
        drill.HasIndex(d => d.IsActive);
        drill.HasIndex(d => d.CreatedAt);

        var notice = model.Entity<BackupNoticeRow>();
        notice.ToTable("BackupNotices");
        notice.HasKey(n => n.Key);
        notice.Property(n => n.Key).HasMaxLength(300);
        notice.HasIndex(n => n.SentAt);
    }
}
