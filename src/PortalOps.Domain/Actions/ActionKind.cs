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

    public static IReadOnlyList<ActionKind> All { get; } = [StartInstances, StopInstances, RebootInstances, TerminateInstances];

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
