using System.ComponentModel.DataAnnotations;
using PortalOps.Domain.Scaling;

namespace PortalOps.Jobs.Scaling.OffHours;

/// <summary>Off-hours schedules (section <c>OffHours</c>).</summary>
public sealed class OffHoursOptions : IValidatableObject
{
    public const string Section = "OffHours";

    /// <summary>Whether the scheduler job acts (the pages work either way).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The tag whose value names a resource's schedule.</summary>
    [Required]
    [StringLength(128, MinimumLength = 1)]
    public string TagKey { get; set; } = "Schedule";

    /// <summary>Minutes after an edge during which a run that missed it still acts (the portal was down); older edges show as drift.</summary>
    [Range(1, 24 * 60)]
    public int CatchUpMinutes { get; set; } = 60;

    /// <summary>Minutes a resource may take to reach its scheduled state before it counts as drift.</summary>
    [Range(1, 24 * 60)]
    public int DriftGraceMinutes { get; set; } = 10;

    /// <summary>Minutes before a running-time limit that the warning goes out.</summary>
    [Range(1, 24 * 60)]
    public int WarnMinutesBefore { get; set; } = 15;

    /// <summary>Hours the warning's Keep-running button adds.</summary>
    [Range(0.25, 72)]
    public double KeepRunningHours { get; set; } = 2;

    /// <summary>Days the longest override may last.</summary>
    [Range(1, 31)]
    public int LongestOverrideDays { get; set; } = 7;

    /// <summary>Running-time limits as "key=value:hours", e.g. "env=dev:8".</summary>
    public List<string> RunningLimits { get; set; } = [];

    /// <summary>In the Sandbox, create two schedules and attach them to simulated instances and a group at start.</summary>
    public bool SeedSandbox { get; set; } = true;

    public OffHoursSettings ToSettings() => new()
    {
        TagKey = TagKey.Trim(),
        CatchUp = TimeSpan.FromMinutes(CatchUpMinutes),
        DriftGrace = TimeSpan.FromMinutes(DriftGraceMinutes),
        WarnBefore = TimeSpan.FromMinutes(WarnMinutesBefore),
        KeepRunningFor = TimeSpan.FromHours(KeepRunningHours),
        LongestOverride = TimeSpan.FromDays(LongestOverrideDays),
        RunningLimits = RunningLimits.Select(RunningLimit.Parse).OfType<RunningLimit>().ToList(),
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var bad in RunningLimits.Where(l => RunningLimit.Parse(l) is null))
        {
            yield return new ValidationResult($"OffHours:RunningLimits: '{bad}' is not key=value:hours (such as env=dev:8).", [nameof(RunningLimits)]);
        }
    }
}
