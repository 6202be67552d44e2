using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Actions;

/// <summary>Start, stop, reboot and terminate through the <see cref="ICompute"/> port.</summary>
public sealed class InstanceActionExecutor(ICompute compute) : IActionExecutor
{
    public bool CanExecute(ActionKind kind) => ToAction(kind) is not null;

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        var action = ToAction(kind) ?? throw new ArgumentOutOfRangeException(nameof(kind), kind.Name, "Not an instance action.");
        var result = await compute.ApplyAsync(action, targets.Select(t => t.Ref).ToList(), idempotencyKey, cancellationToken);
        var failed = result.Targets.Where(t => !t.Succeeded).ToList();
        var errors = string.Join("; ", failed.Take(5).Select(f => $"{f.Target.InstanceId}: {f.Error}"));
        var total = result.Targets.Count;
        var summary = failed.Count == 0 ? $"{kind.Verb} accepted for {total} instance(s)."
            : failed.Count == total ? $"{kind.Verb} failed for {failed.Count} of {total}: {errors}"
            : $"{kind.Verb} accepted for {total - failed.Count} of {total} instance(s); failed for {failed.Count}: {errors}";
        return new ActionExecution(failed.Count == 0, summary, result.RequestId) { PartlySucceeded = failed.Count > 0 && failed.Count < total };
    }

    private static InstanceAction? ToAction(ActionKind kind) =>
        kind == ActionKind.StartInstances ? InstanceAction.Start
        : kind == ActionKind.StopInstances ? InstanceAction.Stop
        : kind == ActionKind.RebootInstances ? InstanceAction.Reboot
        : kind == ActionKind.TerminateInstances ? InstanceAction.Terminate
        : kind == ActionKind.HibernateInstances ? InstanceAction.Hibernate
        : null;
}
