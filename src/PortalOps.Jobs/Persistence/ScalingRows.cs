using Microsoft.EntityFrameworkCore;

namespace PortalOps.Jobs.Persistence;

/// <summary>
/// One capacity sample of an Auto Scaling group. The key is the group and the moment, so recording the same moment twice (a job
/// run twice, two nodes) keeps one row. Groups are keyed by "account/region/name" (GroupRef's text form).
/// </summary>
internal sealed class CapacitySampleRow
{
    public string Group { get; set; } = string.Empty;

    public DateTimeOffset At { get; set; }

    public int MinSize { get; set; }

    public int DesiredCapacity { get; set; }

    public int MaxSize { get; set; }

    public int InService { get; set; }

    public int Pending { get; set; }

    public int Unhealthy { get; set; }
}

internal static class ScalingModel
{
    public static void Configure(ModelBuilder model)
    {
        var sample = model.Entity<CapacitySampleRow>();
        sample.ToTable("CapacitySamples");
        sample.HasKey(s => new { s.Group, s.At });
        sample.Property(s => s.Group).HasMaxLength(400);
        sample.HasIndex(s => s.At);
    }
}
