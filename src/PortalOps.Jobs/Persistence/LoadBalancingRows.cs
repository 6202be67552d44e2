using Microsoft.EntityFrameworkCore;

namespace PortalOps.Jobs.Persistence;

/// <summary>One registration a drain took out, kept until the instance is registered again (start, reboot, or the resume job).</summary>
internal sealed class DrainedRegistrationRow
{
    public string AccountId { get; set; } = string.Empty;

    public string Region { get; set; } = string.Empty;

    public string InstanceId { get; set; } = string.Empty;

    public string TargetGroupArn { get; set; } = string.Empty;

    public string TargetGroupName { get; set; } = string.Empty;

    public int? Port { get; set; }

    public DateTimeOffset SavedAt { get; set; }
}

/// <summary>The registrations of the last read of one account and region (JSON: group ARN, group name, instance, port).</summary>
internal sealed class RegistrationIndexRow
{
    public string AccountId { get; set; } = string.Empty;

    public string Region { get; set; } = string.Empty;

    public DateTimeOffset ReadAt { get; set; }

    public string Registrations { get; set; } = "[]";
}

/// <summary>The latest drain report for one instance (the instance page shows it while the drain runs, and its outcome after).</summary>
internal sealed class DrainProgressRow
{
    public string AccountId { get; set; } = string.Empty;

    public string Region { get; set; } = string.Empty;

    public string InstanceId { get; set; } = string.Empty;

    public string TargetGroups { get; set; } = string.Empty;

    public int Registrations { get; set; }

    public int StillDraining { get; set; }

    public int WaitedSeconds { get; set; }

    public int BoundSeconds { get; set; }

    public string? Outcome { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal static class LoadBalancingModel
{
    public static void Configure(ModelBuilder model)
    {
        var drained = model.Entity<DrainedRegistrationRow>();
        drained.ToTable("DrainedRegistrations");
        drained.HasKey(r => new { r.AccountId, r.Region, r.InstanceId, r.TargetGroupArn });
        drained.Property(r => r.AccountId).HasMaxLength(20);
        drained.Property(r => r.Region).HasMaxLength(32);
        drained.Property(r => r.InstanceId).HasMaxLength(32);
        drained.Property(r => r.TargetGroupArn).HasMaxLength(400);
        drained.Property(r => r.TargetGroupName).HasMaxLength(64);
        drained.HasIndex(r => r.SavedAt);

        var index = model.Entity<RegistrationIndexRow>();
        index.ToTable("TargetRegistrationIndex");
        index.HasKey(r => new { r.AccountId, r.Region });
        index.Property(r => r.AccountId).HasMaxLength(20);
        index.Property(r => r.Region).HasMaxLength(32);

        var progress = model.Entity<DrainProgressRow>();
        progress.ToTable("DrainProgress");
        progress.HasKey(r => new { r.AccountId, r.Region, r.InstanceId });
        progress.Property(r => r.AccountId).HasMaxLength(20);
        progress.Property(r => r.Region).HasMaxLength(32);
        progress.Property(r => r.InstanceId).HasMaxLength(32);
        progress.Property(r => r.TargetGroups).HasMaxLength(2000);
        progress.Property(r => r.Outcome).HasMaxLength(2000);
        progress.HasIndex(r => r.UpdatedAt);
    }
}
