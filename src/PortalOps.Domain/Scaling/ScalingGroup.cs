using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Scaling;

/// <summary>Where an Auto Scaling group is: account, region and its name (unique there).</summary>
public sealed record GroupRef(string AccountId, string Region, string Name)
{
    public CloudScope Scope => new(AccountId, Region);

    /// <summary>The group as an action target: the pipeline's reference with the group's name in place of an instance id.</summary>
    public InstanceRef AsTarget => new(AccountId, Region, Name);

    public static GroupRef FromTarget(InstanceRef target) => new(target.AccountId, target.Region, target.InstanceId);

    public override string ToString() => $"{AccountId}/{Region}/{Name}";
}

/// <summary>
/// An Auto Scaling group as it is now: its capacity bounds, the instances it holds, what it launches (template and version),
/// where (availability zones), which target groups it registers with, its tags (which decide who may see it) and the processes
/// someone suspended.
/// </summary>
public sealed record ScalingGroup(
    GroupRef Ref,
    int MinSize,
    int DesiredCapacity,
    int MaxSize,
    IReadOnlyList<ScalingInstance> Instances,
    string? LaunchTemplate,
    string? LaunchTemplateVersion,
    IReadOnlyList<string> AvailabilityZones,
    IReadOnlyList<string> TargetGroupArns,
    IReadOnlyDictionary<string, string> Tags,
    DateTimeOffset? CreatedAt)
{
    public string Name => Ref.Name;

    public IReadOnlyList<string> SuspendedProcesses { get; init; } = [];

    /// <summary>"Delete in progress" while AWS deletes the group; null otherwise.</summary>
    public string? Status { get; init; }

    /// <summary>The group metrics AWS collects for the group (DescribeAutoScalingGroups' EnabledMetrics); empty while collection is off.</summary>
    public IReadOnlyList<string> EnabledMetrics { get; init; } = [];

    /// <summary>Whether CloudWatch receives the two metrics the capacity chart reads (GroupDesiredCapacity and GroupInServiceInstances).</summary>
    public bool CollectsCapacityMetrics => GroupMetrics.Capacity.All(EnabledMetrics.Contains);

    public int InService => Instances.Count(i => i.Lifecycle == LifecycleState.InService && i.Healthy);

    public int Pending => Instances.Count(i => i.Lifecycle == LifecycleState.Pending);

    public int Unhealthy => Instances.Count(i => !i.Healthy);

    /// <summary>Whether the group holds what it asks for: in service equals desired.</summary>
    public bool IsSettled => InService == DesiredCapacity && Pending == 0;

    public Footprint Footprint => Footprint.Of(Ref.AccountId, Ref.Region, Tags);
}

/// <summary>An instance in a group, with its lifecycle state and health as Auto Scaling sees them.</summary>
public sealed record ScalingInstance(string InstanceId, string? InstanceType, string AvailabilityZone, LifecycleState Lifecycle, bool Healthy, bool ProtectedFromScaleIn)
{
    public string? LaunchTemplateVersion { get; init; }
}

/// <summary>Auto Scaling's lifecycle states, folded to the ones people act on.</summary>
public enum LifecycleState
{
    Pending,
    InService,
    Terminating,
    Terminated,
    Detaching,
    Standby,
    EnteringStandby,
    Warmed,
    Other,
}

/// <summary>Auto Scaling's processes that can be suspended and resumed.</summary>
public static class ScalingProcesses
{
    public static IReadOnlyList<string> All { get; } =
        ["Launch", "Terminate", "AddToLoadBalancer", "AlarmNotification", "AZRebalance", "HealthCheck", "InstanceRefresh", "ReplaceUnhealthy", "ScheduledActions"];

    public static LifecycleState ParseLifecycle(string? value) => value switch
    {
        "Pending" or "Pending:Wait" or "Pending:Proceed" => LifecycleState.Pending,
        "InService" => LifecycleState.InService,
        "Terminating" or "Terminating:Wait" or "Terminating:Proceed" => LifecycleState.Terminating,
        "Terminated" => LifecycleState.Terminated,
        "Detaching" or "Detached" => LifecycleState.Detaching,
        "Standby" => LifecycleState.Standby,
        "EnteringStandby" => LifecycleState.EnteringStandby,
        { } v when v.StartsWith("Warmed", StringComparison.Ordinal) => LifecycleState.Warmed,
        _ => LifecycleState.Other,
    };
}

