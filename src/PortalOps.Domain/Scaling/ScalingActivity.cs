namespace PortalOps.Domain.Scaling;

/// <summary>One entry of a group's scaling history: a launch or a termination, why, and how it ended.</summary>
public sealed record ScalingActivity(string ActivityId, string Description, string? Cause, ActivityStatus Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt)
{
    /// <summary>AWS's status message for a failed activity (e.g. "We currently do not have sufficient capacity…").</summary>
    public string? StatusMessage { get; init; }

    public bool IsLaunch => Description.StartsWith("Launching", StringComparison.OrdinalIgnoreCase);

    public bool IsFailedLaunch => IsLaunch && Status is ActivityStatus.Failed or ActivityStatus.Cancelled;

    public static ActivityStatus ParseStatus(string? code) => code switch
    {
        "Successful" => ActivityStatus.Successful,
        "Failed" => ActivityStatus.Failed,
        "Cancelled" => ActivityStatus.Cancelled,
        _ => ActivityStatus.InProgress,
    };
}

public enum ActivityStatus
{
    InProgress,
    Successful,
    Failed,
    Cancelled,
}
