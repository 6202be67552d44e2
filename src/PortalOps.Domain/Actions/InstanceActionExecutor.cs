using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Actions;

/// <summary>
/// Start, stop, reboot and terminate through the <see cref="ICompute"/> port. Instances behind a load balancer are drained first
/// and registered again after a reboot or start (<see cref="IInstanceDrain"/>).
/// </summary>
public sealed class InstanceActionExecutor(ICompute compute, IInstanceDrain? drain = null) : IActionExecutor
{
    private readonly IInstanceDrain drain = drain ?? new NoInstanceDrain();

    public bool CanExecute(ActionKind kind) => ToAction(kind) is not null;

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        var action = ToAction(kind) ?? throw new ArgumentOutOfRangeException(nameof(kind), kind.Name, "Not an instance action.");
        var refs = targets.Select(t => t.Ref).ToList();
        DrainOutcome drained;
        if (action is InstanceAction.Stop or InstanceAction.Reboot or InstanceAction.Terminate or InstanceAction.Hibernate)
        {
            try
            {
                drained = await drain.DrainAsync(action, refs, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return new ActionExecution(false, $"{kind.Verb} not sent: taking the instance(s) out of their target groups failed ({ex.Message}).", null);
            }
        }
        else
        {
            drained = DrainOutcome.None;
        }

        var result = await compute.ApplyAsync(action, refs, idempotencyKey, cancellationToken);
        var restored = DrainOutcome.None;
        var took = result.Targets.Where(t => t.Succeeded).Select(t => t.Target).ToList();
        if (action is InstanceAction.Reboot or InstanceAction.Start && took.Count > 0)
        {
            try
            {
                restored = await drain.RestoreAsync(action, took, drained, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                restored = new DrainOutcome(0, $"Registering again failed ({ex.Message}); register the instance(s) on the load balancer page.", []);
            }
        }

        var failed = result.Targets.Where(t => !t.Succeeded).ToList();
        var errors = string.Join("; ", failed.Take(5).Select(f => $"{f.Target.InstanceId}: {f.Error}"));
        var total = result.Targets.Count;
        var summary = failed.Count == 0 ? $"{kind.Verb} accepted for {total} instance(s)."
            : failed.Count == total ? $"{kind.Verb} failed for {failed.Count} of {total}: {errors}"
            : $"{kind.Verb} accepted for {total - failed.Count} of {total} instance(s); failed for {failed.Count}: {errors}";
        summary = string.Join(" ", new[] { drained.Summary, summary, restored.Summary }.Where(x => !string.IsNullOrEmpty(x)));
        // The audit names every AWS request the action made: the target groups' deregistrations, the EC2 call, the registrations after.
        var requestIds = drained.RequestIds.Append(result.RequestId).Concat(restored.RequestIds).Where(id => !string.IsNullOrEmpty(id)).ToList();
        return new ActionExecution(failed.Count == 0, summary, requestIds.Count == 0 ? null : string.Join(",", requestIds)) { PartlySucceeded = failed.Count > 0 && failed.Count < total };
    }

    private static InstanceAction? ToAction(ActionKind kind) =>
        kind == ActionKind.StartInstances ? InstanceAction.Start
        : kind == ActionKind.StopInstances ? InstanceAction.Stop
        : kind == ActionKind.RebootInstances ? InstanceAction.Reboot
        : kind == ActionKind.TerminateInstances ? InstanceAction.Terminate
        : kind == ActionKind.HibernateInstances ? InstanceAction.Hibernate
        : null;
}
