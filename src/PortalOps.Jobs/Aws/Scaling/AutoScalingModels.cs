namespace PortalOps.Jobs.Aws.Scaling;

public sealed record AsgTag(string Key, string Value, bool PropagateAtLaunch = true);

public sealed record AsgInstance(string InstanceId, string? InstanceType, string AvailabilityZone, string LifecycleState, string HealthStatus, bool ProtectedFromScaleIn)
{
    public string? LaunchTemplateVersion { get; init; }
}

public sealed record AutoScalingGroup(
    string Name,
    string? Arn,
    int MinSize,
    int MaxSize,
    int DesiredCapacity,
    int? DefaultCooldown,
    IReadOnlyList<string> AvailabilityZones,
    IReadOnlyList<string> TargetGroupArns,
    string? HealthCheckType,
    string? LaunchTemplateId,
    string? LaunchTemplateName,
    string? LaunchConfigurationName,
    string? VpcZoneIdentifier,
    DateTimeOffset? CreatedTime,
    string? Status,
    IReadOnlyList<AsgInstance> Instances,
    IReadOnlyList<AsgTag> Tags)
{
    public string? LaunchTemplateVersion { get; init; }

    public IReadOnlyList<string> SuspendedProcesses { get; init; } = [];

    /// <summary>EnabledMetrics' metric names: what CloudWatch receives for the group (empty while collection is off).</summary>
    public IReadOnlyList<string> EnabledMetrics { get; init; } = [];
}

/// <summary>Create or update: null leaves a value as it is (update) or to the service default (create).</summary>
public sealed record AutoScalingGroupSpec(
    string Name,
    int? MinSize = null,
    int? MaxSize = null,
    int? DesiredCapacity = null,
    string? LaunchTemplateId = null,
    string? LaunchTemplateName = null,
    string? LaunchTemplateVersion = null,
    string? LaunchConfigurationName = null,
    IReadOnlyList<string>? AvailabilityZones = null,
    string? VpcZoneIdentifier = null,
    IReadOnlyList<string>? TargetGroupArns = null,
    string? HealthCheckType = null,
    int? HealthCheckGracePeriod = null,
    int? DefaultCooldown = null,
    IReadOnlyList<AsgTag>? Tags = null);

public sealed record StepAdjustment(double? LowerBound, double? UpperBound, int ScalingAdjustment);

/// <summary>Target tracking on a predefined metric (ASGAverageCPUUtilization, ASGAverageNetworkIn, ALBRequestCountPerTarget …).</summary>
public sealed record TargetTracking(string PredefinedMetricType, double TargetValue, string? ResourceLabel = null, bool DisableScaleIn = false);

public sealed record ScalingPolicySpec(
    string GroupName,
    string PolicyName,
    string PolicyType,
    TargetTracking? TargetTracking = null,
    IReadOnlyList<StepAdjustment>? Steps = null,
    string? AdjustmentType = null,
    int? ScalingAdjustment = null,
    string? MetricAggregationType = null,
    int? EstimatedInstanceWarmup = null,
    int? Cooldown = null)
{
    public static ScalingPolicySpec ForTargetTracking(string group, string name, TargetTracking target) => new(group, name, "TargetTrackingScaling", TargetTracking: target);

    public static ScalingPolicySpec ForSteps(string group, string name, string adjustmentType, IReadOnlyList<StepAdjustment> steps) =>
        new(group, name, "StepScaling", Steps: steps, AdjustmentType: adjustmentType, MetricAggregationType: "Average");
}

public sealed record ScalingPolicy(
    string GroupName,
    string PolicyName,
    string? PolicyArn,
    string PolicyType,
    string? AdjustmentType,
    int? ScalingAdjustment,
    IReadOnlyList<StepAdjustment> Steps,
    TargetTracking? TargetTracking,
    IReadOnlyList<string> AlarmNames)
{
    public int? Cooldown { get; init; }

    public int? EstimatedInstanceWarmup { get; init; }
}

public sealed record PutPolicyResult(string PolicyArn, IReadOnlyList<string> AlarmNames, string? RequestId);

public sealed record ScalingActivity(string ActivityId, string GroupName, string? Description, string? Cause, string StatusCode, DateTimeOffset? StartTime, DateTimeOffset? EndTime, int? Progress)
{
    public string? StatusMessage { get; init; }
}

public sealed record ScheduledActionSpec(
    string GroupName,
    string Name,
    DateTimeOffset? StartTime = null,
    DateTimeOffset? EndTime = null,
    string? Recurrence = null,
    int? MinSize = null,
    int? MaxSize = null,
    int? DesiredCapacity = null,
    string? TimeZone = null);

public sealed record ScheduledAction(string GroupName, string Name, string? Arn, DateTimeOffset? StartTime, DateTimeOffset? EndTime, string? Recurrence, int? MinSize, int? MaxSize, int? DesiredCapacity, string? TimeZone);

/// <summary>StartInstanceRefresh's input: a rolling refresh with the preferences PortalOps offers.</summary>
public sealed record InstanceRefreshSpec(string GroupName, int? MinHealthyPercentage = null, int? InstanceWarmup = null, bool? SkipMatching = null)
{
    /// <summary>Preferences.CheckpointPercentages (ascending, the last 100); null or empty: none sent.</summary>
    public IReadOnlyList<int>? CheckpointPercentages { get; init; }

    /// <summary>Preferences.CheckpointDelay in seconds (0–172,800).</summary>
    public int? CheckpointDelay { get; init; }

    /// <summary>Preferences.AutoRollback (AWS needs a DesiredConfiguration for it).</summary>
    public bool? AutoRollback { get; init; }

    /// <summary>DesiredConfiguration.LaunchTemplate: the template (by id, else by name) and version the refresh moves to.</summary>
    public string? DesiredLaunchTemplateId { get; init; }

    public string? DesiredLaunchTemplateName { get; init; }

    public string? DesiredLaunchTemplateVersion { get; init; }
}

/// <summary>StartInstanceRefresh's answer: the refresh's id, and the request id for the audit.</summary>
public sealed record StartInstanceRefreshResult(string InstanceRefreshId, string? RequestId);

/// <summary>One entry of DescribeInstanceRefreshes' <c>InstanceRefreshes</c>.</summary>
public sealed record AsgInstanceRefresh(
    string InstanceRefreshId,
    string GroupName,
    string Status,
    string? StatusReason,
    DateTimeOffset? StartTime,
    DateTimeOffset? EndTime,
    int? PercentageComplete,
    int? InstancesToUpdate)
{
    public int? MinHealthyPercentage { get; init; }

    public int? InstanceWarmup { get; init; }

    public bool? SkipMatching { get; init; }

    public IReadOnlyList<int> CheckpointPercentages { get; init; } = [];

    public int? CheckpointDelay { get; init; }

    public bool? AutoRollback { get; init; }

    /// <summary>DesiredConfiguration.LaunchTemplate.Version, when the refresh named one.</summary>
    public string? DesiredLaunchTemplateVersion { get; init; }
}
