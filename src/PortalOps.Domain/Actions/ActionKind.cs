using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Actions;

/// <summary>What an action works on, and so how the pipeline looks its targets up before it authorizes them.</summary>
public enum ActionTarget
{
    /// <summary>Existing instances, looked up through <see cref="IInventory"/>.</summary>
    Instances,

    /// <summary>Instances that do not exist yet: the request names an account, a region and the tags they will carry (<see cref="Placement"/>).</summary>
    NewInstances,

    /// <summary>EBS volumes, looked up by the kind's executor (<see cref="IActionExecutor.ResolveAsync"/>).</summary>
    Volumes,

    /// <summary>Elastic IP addresses, looked up by the kind's executor.</summary>
    Addresses,

    /// <summary>Resources a compliance policy names (any type), looked up by the kind's executor; the policy is a parameter.</summary>
    ComplianceResources,

    /// <summary>Auto Scaling groups (the reference's id is the group's name), looked up by the kind's executor.</summary>
    ScalingGroups,
    /// <summary>ELBv2 target groups (id: the group's ARN), looked up by the kind's executor; the instances to (de)register are a parameter.</summary>
    TargetGroups,
    /// <summary>Backup policies (account, region, policy id), looked up by the kind's executor.</summary>
    BackupPolicies,

    /// <summary>Snapshots and images a restore starts from, looked up by the kind's executor.</summary>
    RecoveryPoints,

    /// <summary>Off-hours schedules (account or "*", region or "*", schedule id), looked up by the kind's executor.</summary>
    OffHoursSchedules,
    /// <summary>Cost budgets (account or "*", region "*", "budget" with the tag condition), looked up by the kind's executor.</summary>
    Budgets,
}

/// <summary>
/// Every kind of action PortalOps can take, with the least role that may ask for it.
/// Modules add their kinds here (scaling, backups, patching ...), and an <see cref="IActionExecutor"/> for them.
/// </summary>
public sealed record ActionKind(string Name, Role MinimumRole, string Verb, ActionTarget Target = ActionTarget.Instances)
{
    public static readonly ActionKind StartInstances = new("instances.start", Role.Operator, "Start");
    public static readonly ActionKind StopInstances = new("instances.stop", Role.Operator, "Stop");
    public static readonly ActionKind RebootInstances = new("instances.reboot", Role.Operator, "Reboot");
    public static readonly ActionKind TerminateInstances = new("instances.terminate", Role.Operator, "Terminate");
    public static readonly ActionKind HibernateInstances = new("instances.hibernate", Role.Operator, "Hibernate");

    /// <summary>Stop and start again, so that EC2 moves the instance to healthy hardware (EBS-backed instances).</summary>
    public static readonly ActionKind RecoverInstances = new("instances.recover", Role.Operator, "Recover");

    /// <summary>Raise the desired capacity of the instances' Auto Scaling group by a count.</summary>
    public static readonly ActionKind ScaleOutGroup = new("scaling.scale-out", Role.Operator, "Scale out");

    /// <summary>Run a Systems Manager document on the instances.</summary>
    public static readonly ActionKind RunDocument = new("commands.run-document", Role.Operator, "Run document");

    /// <summary>Snapshots every EBS volume of the instances, then terminates them.</summary>
    public static readonly ActionKind SnapshotAndTerminateInstances = new("instances.snapshot-terminate", Role.Operator, "Snapshot and terminate");

    public static readonly ActionKind LaunchInstances = new("instances.launch", Role.Operator, "Launch", ActionTarget.NewInstances);
    public static readonly ActionKind EditTags = new("instances.tags", Role.Operator, "Change tags of");
    public static readonly ActionKind SetProtection = new("instances.protection", Role.Operator, "Change protection of");
    public static readonly ActionKind DeleteVolumes = new("volumes.delete", Role.Operator, "Delete", ActionTarget.Volumes);
    public static readonly ActionKind ReleaseAddresses = new("addresses.release", Role.Operator, "Release", ActionTarget.Addresses);

    /// <summary>Apply a compliance policy's remediation to the exact resources its plan listed (parameter "policy").</summary>
    public static readonly ActionKind Remediate = new("compliance.remediate", Role.Operator, "Remediate", ActionTarget.ComplianceResources);
    /// <summary>Grant an exception (waiver) to a compliance policy for the findings it names, with reason, owner and expiry (parameters).</summary>
    public static readonly ActionKind GrantException = new("compliance.grant-exception", Role.Approver, "Grant an exception for", ActionTarget.ComplianceResources);

    /// <summary>Install patches on a patch run's instances (AWS-RunPatchBaseline Install, in waves): always waits for approval.</summary>
    public static readonly ActionKind InstallPatches = new("patching.install", Role.Operator, "Install patches on");

    /// <summary>Change the instances' type (parameter "instanceType"): stop, modify the type, start again if it was running.</summary>
    public static readonly ActionKind ResizeInstances = new("instances.resize", Role.Operator, "Resize");

    /// <summary>Change EBS volumes' type in place (parameter "volumeType", e.g. gp2 → gp3), without detaching them.</summary>
    public static readonly ActionKind ModifyVolumes = new("volumes.modify", Role.Operator, "Modify", ActionTarget.Volumes);
    /// <summary>Set an Auto Scaling group's min, desired and max (parameters "min", "desired", "max").</summary>
    public static readonly ActionKind SetGroupCapacity = new("scaling.capacity", Role.Operator, "Set capacity of", ActionTarget.ScalingGroups);
    /// <summary>Create or replace a scaling policy (parameter "policy": the policy as JSON).</summary>
    public static readonly ActionKind PutScalingPolicy = new("scaling.policy.put", Role.Operator, "Save a scaling policy on", ActionTarget.ScalingGroups);
    public static readonly ActionKind DeleteScalingPolicy = new("scaling.policy.delete", Role.Operator, "Delete a scaling policy of", ActionTarget.ScalingGroups);
    /// <summary>Create or replace a scheduled action (parameter "scheduled": the action as JSON).</summary>
    public static readonly ActionKind PutScheduledAction = new("scaling.schedule.put", Role.Operator, "Save a scheduled action on", ActionTarget.ScalingGroups);
    public static readonly ActionKind DeleteScheduledAction = new("scaling.schedule.delete", Role.Operator, "Delete a scheduled action of", ActionTarget.ScalingGroups);
    /// <summary>Suspend or resume Auto Scaling processes (parameter "processes": comma-separated names).</summary>
    public static readonly ActionKind SuspendProcesses = new("scaling.processes.suspend", Role.Operator, "Suspend processes of", ActionTarget.ScalingGroups);
    public static readonly ActionKind ResumeProcesses = new("scaling.processes.resume", Role.Operator, "Resume processes of", ActionTarget.ScalingGroups);
    /// <summary>Replace a group's instances in a rolling instance refresh (parameters "minHealthy", "warmup", "skipMatching").</summary>
    public static readonly ActionKind StartInstanceRefresh = new("scaling.refresh.start", Role.Operator, "Start an instance refresh of", ActionTarget.ScalingGroups);
    public static readonly ActionKind CancelInstanceRefresh = new("scaling.refresh.cancel", Role.Operator, "Cancel the instance refresh of", ActionTarget.ScalingGroups);
    /// <summary>Register instances (parameter "targets": ids, optionally with ":port") in a target group.</summary>
    public static readonly ActionKind RegisterTargets = new("loadbalancing.register-targets", Role.Operator, "Register targets in", ActionTarget.TargetGroups);

    /// <summary>Deregister instances (parameter "targets") from a target group; they drain for the group's deregistration delay.</summary>
    public static readonly ActionKind DeregisterTargets = new("loadbalancing.deregister-targets", Role.Operator, "Deregister targets from", ActionTarget.TargetGroups);
    /// <summary>Save a new backup policy (parameter "policy": the settings as JSON).</summary>
    public static readonly ActionKind CreateBackupPolicy = new("backups.policy.create", Role.Operator, "Create", ActionTarget.BackupPolicies);

    /// <summary>Save a new version of a backup policy that protects at least as much as before.</summary>
    public static readonly ActionKind EditBackupPolicy = new("backups.policy.edit", Role.Operator, "Edit", ActionTarget.BackupPolicies);

    /// <summary>Save a new version of a backup policy that protects less (shorter retention, a rule or the copy removed, fewer instances).</summary>
    public static readonly ActionKind LoosenBackupPolicy = new("backups.policy.loosen", Role.Operator, "Loosen", ActionTarget.BackupPolicies);

    /// <summary>Back up a policy's instances now under one of its rules (parameter "rule").</summary>
    public static readonly ActionKind RunBackupNow = new("backups.run-now", Role.Operator, "Back up now", ActionTarget.BackupPolicies);

    /// <summary>Make a volume from a snapshot, optionally attached to an instance.</summary>
    public static readonly ActionKind RestoreVolume = new("backups.restore-volume", Role.Operator, "Restore a volume from", ActionTarget.RecoveryPoints);

    /// <summary>Launch an instance from an image.</summary>
    public static readonly ActionKind RestoreInstance = new("backups.restore-instance", Role.Operator, "Restore an instance from", ActionTarget.RecoveryPoints);

    /// <summary>Save a new off-hours schedule or its next version (parameter "schedule": the content as JSON).</summary>
    public static readonly ActionKind SaveOffHoursSchedule = new("offhours.schedule.save", Role.Operator, "Save an off-hours schedule", ActionTarget.OffHoursSchedules);

    /// <summary>Keep instances running past their schedule's stop and their running-time limit until a time (parameter "until").</summary>
    public static readonly ActionKind KeepInstancesRunning = new("offhours.keep-running", Role.Operator, "Keep running");

    /// <summary>Keep Auto Scaling groups at their capacity past their schedule's stop until a time (parameter "until").</summary>
    public static readonly ActionKind KeepGroupsRunning = new("offhours.keep-running.group", Role.Operator, "Keep running", ActionTarget.ScalingGroups);

    /// <summary>An off-hours schedule scales a group to 0/0/0 (parameters: the min, desired and max it had, to give back later).</summary>
    public static readonly ActionKind SleepGroups = new("offhours.group.sleep", Role.Operator, "Scale to zero for off-hours", ActionTarget.ScalingGroups);

    /// <summary>An off-hours schedule gives a group back its min, desired and max (parameters "min", "desired", "max").</summary>
    public static readonly ActionKind WakeGroups = new("offhours.group.wake", Role.Operator, "Give back capacity after off-hours", ActionTarget.ScalingGroups);

    /// <summary>Create or change the monthly budget of a scope (parameter "budget": the draft as JSON; "version": the version it becomes).</summary>
    public static readonly ActionKind SaveBudget = new("costs.budget.save", Role.Operator, "Set the budget of", ActionTarget.Budgets);

    /// <summary>Remove the budget of a scope.</summary>
    public static readonly ActionKind DeleteBudget = new("costs.budget.delete", Role.Operator, "Remove the budget of", ActionTarget.Budgets);

    /// <summary>Launch a whole instance in its DR region from its latest copies (the target is the source instance).</summary>
    public static readonly ActionKind RestoreInDrRegion = new("backups.restore-dr", Role.Operator, "Restore in the DR region", ActionTarget.RecoveryPoints);

    /// <summary>Restore instances' latest copies in the DR region, check them, measure the RTO and remove them again.</summary>
    public static readonly ActionKind RunDrDrill = new("backups.drill", Role.Operator, "Run a DR drill of", ActionTarget.RecoveryPoints);

    /// <summary>Delete EBS snapshots (a cost recommendation: kept beyond the backup policy's retention).</summary>
    public static readonly ActionKind DeleteSnapshots = new("snapshots.delete", Role.Operator, "Delete", ActionTarget.RecoveryPoints);

    /// <summary>Enable CloudWatch group metrics collection (GroupDesiredCapacity, GroupInServiceInstances … at 1Minute granularity) on a group.</summary>
    public static readonly ActionKind EnableMetricsCollection = new("scaling.metrics.enable", Role.Operator, "Enable metrics collection on", ActionTarget.ScalingGroups);

    /// <summary>Roll back a group's running instance refresh to the configuration it had before (RollbackInstanceRefresh).</summary>
    public static readonly ActionKind RollbackInstanceRefresh = new("scaling.refresh.rollback", Role.Operator, "Roll back the instance refresh of", ActionTarget.ScalingGroups);

    public static IReadOnlyList<ActionKind> All { get; } =
    [
        StartInstances, StopInstances, RebootInstances, TerminateInstances, HibernateInstances, SnapshotAndTerminateInstances,
        LaunchInstances, EditTags, SetProtection, DeleteVolumes, ReleaseAddresses, RecoverInstances, ScaleOutGroup, RunDocument,
        Remediate,
        InstallPatches,
        GrantException,
        ResizeInstances, ModifyVolumes,
        SetGroupCapacity, PutScalingPolicy, DeleteScalingPolicy, PutScheduledAction, DeleteScheduledAction, SuspendProcesses, ResumeProcesses,
        StartInstanceRefresh, CancelInstanceRefresh,
        RegisterTargets, DeregisterTargets,
        CreateBackupPolicy, EditBackupPolicy, LoosenBackupPolicy, RunBackupNow, RestoreVolume, RestoreInstance,
        SaveOffHoursSchedule, KeepInstancesRunning, KeepGroupsRunning, SleepGroups, WakeGroups,
        SaveBudget, DeleteBudget,
        RestoreInDrRegion, RunDrDrill,
        DeleteSnapshots,
        EnableMetricsCollection, RollbackInstanceRefresh,
    ];

    /// <summary>What the targets are called in messages: "instance(s)", "volume(s)" ...</summary>
    public string Noun => Target switch
    {
        ActionTarget.Instances or ActionTarget.NewInstances => "instance(s)",
        ActionTarget.Volumes => "volume(s)",
        ActionTarget.Addresses => "Elastic IP(s)",
        ActionTarget.ComplianceResources => "resource(s)",
        ActionTarget.ScalingGroups => "Auto Scaling group(s)",
        ActionTarget.TargetGroups => "target group(s)",
        ActionTarget.BackupPolicies => "backup policy(ies)",
        ActionTarget.RecoveryPoints => "recovery point(s)",
        ActionTarget.OffHoursSchedules => "off-hours schedule(s)",
        ActionTarget.Budgets => "budget scope(s)",
    };

    public static ActionKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);

    public static ActionKind For(InstanceAction action) => action switch
    {
        InstanceAction.Start => StartInstances,
        InstanceAction.Stop => StopInstances,
        InstanceAction.Reboot => RebootInstances,
        InstanceAction.Terminate => TerminateInstances,
        InstanceAction.Hibernate => HibernateInstances,
    };

    public override string ToString() => Name;
}

/// <summary>Where new instances will be: account, region, the tags they will carry, and how many.</summary>
public sealed record Placement(string AccountId, string Region, IReadOnlyDictionary<string, string> Tags, int Count);

/// <summary>A request to act on some instances (or other resources), as it arrives from a page, a chat or a job.</summary>
public sealed record ActionRequest(ActionKind Kind, IReadOnlyList<InstanceRef> Targets, string? Reason = null)
{
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// When set, the request waits for approval under this name even if no policy rule asks for it
    /// (corrective actions that an alert rule offers rather than runs).
    /// </summary>
    public string? RequireApproval { get; init; }

    /// <summary>For <see cref="ActionTarget.NewInstances"/> kinds: where the new instances go.</summary>
    public Placement? Placement { get; init; }

    /// <summary>
    /// The caller's key for this request, so that submitting the same request again (a double click, a retry after a lost answer)
    /// acts once. Without one the pipeline makes a fresh key. An approved request uses its approval id instead.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>A request to launch instances at <paramref name="placement"/>.</summary>
    public static ActionRequest Launch(Placement placement, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, string? reason = null) =>
        new(ActionKind.LaunchInstances, [], reason) { Placement = placement, Parameters = parameters, IdempotencyKey = idempotencyKey };
}

/// <summary>
/// A target after the pipeline has looked it up: its scope is judged on what the inventory says, never on what the caller said.
/// For resource kinds (volumes, addresses) <see cref="InstanceRef.InstanceId"/> holds the resource id; for a launch it is
/// <see cref="NewInstancesId"/> and the tags are the ones the new instances will carry.
/// </summary>
public sealed record ResolvedTarget(InstanceRef Ref, string Name, IReadOnlyDictionary<string, string> Tags)
{
    public const string NewInstancesId = "new-instances";
}

/// <summary>Carries out one kind of action through a port. Must be safe to run twice with the same idempotency key.</summary>
public interface IActionExecutor
{
    bool CanExecute(ActionKind kind);

    Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>
    /// Looks a target up for kinds that do not act on instances (volumes, addresses): null when it does not exist.
    /// Instance targets are looked up by the pipeline through the inventory and never come here.
    /// </summary>
    Task<ResolvedTarget?> ResolveAsync(ActionKind kind, InstanceRef target, CancellationToken cancellationToken) => Task.FromResult<ResolvedTarget?>(null);
}

public sealed record ActionExecution(bool Succeeded, string Summary, string? RequestId)
{
    /// <summary>Instances the action made (a launch), for the page to show or follow.</summary>
    public IReadOnlyList<InstanceRef> Created { get; init; } = [];

    /// <summary>
    /// Not <see cref="Succeeded"/>, yet some targets took the action (a bulk stop where one instance refused):
    /// reported as partly done rather than failed; the summary names the ones that failed. The audit record keeps outcome Failed.
    /// </summary>
    public bool PartlySucceeded { get; init; }
}
