using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Actions;

/// <summary>
/// Every kind of action PortalOps can take, with the least role that may ask for it.
/// Modules add their kinds here (scaling, backups, patching ...), and an <see cref="IActionExecutor"/> for them.
/// </summary>
public sealed record ActionKind(string Name, Role MinimumRole, string Verb)
{
    public static readonly ActionKind StartInstances = new("instances.start", Role.Operator, "Start");
    public static readonly ActionKind StopInstances = new("instances.stop", Role.Operator, "Stop");
    public static readonly ActionKind RebootInstances = new("instances.reboot", Role.Operator, "Reboot");
    public static readonly ActionKind TerminateInstances = new("instances.terminate", Role.Operator, "Terminate");

    /// <summary>Stop and start again, so that EC2 moves the instance to healthy hardware (EBS-backed instances).</summary>
    public static readonly ActionKind RecoverInstances = new("instances.recover", Role.Operator, "Recover");

    /// <summary>Raise the desired capacity of the instances' Auto Scaling group by a count.</summary>
    public static readonly ActionKind ScaleOutGroup = new("scaling.scale-out", Role.Operator, "Scale out");

    /// <summary>Run a Systems Manager document on the instances.</summary>
    public static readonly ActionKind RunDocument = new("commands.run-document", Role.Operator, "Run document");

    public static IReadOnlyList<ActionKind> All { get; } = [StartInstances, StopInstances, RebootInstances, TerminateInstances, RecoverInstances, ScaleOutGroup, RunDocument];

    public static ActionKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);

    public static ActionKind For(InstanceAction action) => action switch
    {
        InstanceAction.Start => StartInstances,
        InstanceAction.Stop => StopInstances,
        InstanceAction.Reboot => RebootInstances,
        InstanceAction.Terminate => TerminateInstances,
    };

    public override string ToString() => Name;
}

/// <summary>A request to act on some instances, as it arrives from a page, a chat or a job.</summary>
public sealed record ActionRequest(ActionKind Kind, IReadOnlyList<InstanceRef> Targets, string? Reason = null)
{
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// When set, the request waits for approval under this name even if no policy rule asks for it
    /// (corrective actions that an alert rule offers rather than runs).
    /// </summary>
    public string? RequireApproval { get; init; }
}

/// <summary>A target after the pipeline has looked it up: its scope is judged on what the inventory says, never on what the caller said.</summary>
public sealed record ResolvedTarget(InstanceRef Ref, string Name, IReadOnlyDictionary<string, string> Tags);

/// <summary>Carries out one kind of action through a port. Must be safe to run twice with the same idempotency key.</summary>
public interface IActionExecutor
{
    bool CanExecute(ActionKind kind);

    Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken);
}

public sealed record ActionExecution(bool Succeeded, string Summary, string? RequestId);
