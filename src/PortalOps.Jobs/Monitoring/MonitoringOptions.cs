using System.ComponentModel.DataAnnotations;
using PortalOps.Domain.Monitoring;

namespace PortalOps.Jobs.Monitoring;

/// <summary>Metrics collection and alerting (section "Monitoring").</summary>
public sealed class MonitoringOptions : IValidatableObject
{
    public const string Section = "Monitoring";

    /// <summary>Length of one collected period, in seconds (CloudWatch's basic monitoring is 300).</summary>
    [Range(60, 3600)]
    public int PeriodSeconds { get; set; } = 300;

    /// <summary>How long collected points are kept.</summary>
    [Range(1, 90)]
    public int RetentionDays { get; set; } = 14;

    /// <summary>An alert that changes sends at most one update per this many minutes.</summary>
    [Range(1, 240)]
    public int RollUpMinutes { get; set; } = 5;

    /// <summary>More alerts than this for one person in one evaluation become a single summary.</summary>
    [Range(1, 100)]
    public int StormLimit { get; set; } = 5;

    /// <summary>How far back the first collection reaches.</summary>
    [Range(1, 336)]
    public int BackfillHours { get; set; } = 24;

    /// <summary>Collect and evaluate at all (the recurring job is registered either way, and does nothing when off).</summary>
    public bool Enabled { get; set; } = true;

    public MonitoringSettings ToSettings() => new(
        TimeSpan.FromSeconds(PeriodSeconds), TimeSpan.FromDays(RetentionDays), TimeSpan.FromMinutes(RollUpMinutes), StormLimit, TimeSpan.FromHours(BackfillHours));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PeriodSeconds % 60 != 0)
        {
            yield return new ValidationResult($"must be a whole number of minutes (it is {PeriodSeconds}).", [nameof(PeriodSeconds)]);
        }
    }
}
