using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.LoadBalancing;

/// <summary>
/// Registers and deregisters targets through the <see cref="ILoadBalancing"/> port. A request's target is the target group
/// (account, region, ARN); its parameter <see cref="TargetsParameter"/> names the instances ("i-0abc, i-0def:8080").
/// </summary>
public sealed class TargetRegistrationExecutor(ILoadBalancing loadBalancing, LoadBalancingReads? reads = null) : IActionExecutor
{
    public const string TargetsParameter = "targets";

    public bool CanExecute(ActionKind kind) => kind == ActionKind.RegisterTargets || kind == ActionKind.DeregisterTargets;

    public async Task<ResolvedTarget?> ResolveAsync(ActionKind kind, InstanceRef target, CancellationToken cancellationToken)
    {
        var groups = await loadBalancing.TargetGroupsAsync(new CloudScope(target.AccountId, target.Region), cancellationToken);
        return groups.FirstOrDefault(g => string.Equals(g.Arn, target.InstanceId, StringComparison.Ordinal)) is { } group
            ? new ResolvedTarget(target, group.Name, group.Tags)
            : null;
    }

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        var (instances, errors) = TargetRef.ParseList(parameters.GetValueOrDefault(TargetsParameter));
        if (errors.Count > 0 || instances.Count == 0)
        {
            return new ActionExecution(false, errors.Count > 0 ? string.Join(" ", errors) : "Name at least one instance to register or deregister.", null);
        }

        var register = kind == ActionKind.RegisterTargets;
        var requestIds = new List<string>();
        var done = new List<string>();
        var failed = new List<string>();
        foreach (var target in targets)
        {
            var scope = new CloudScope(target.Ref.AccountId, target.Ref.Region);
            try
            {
                var id = register
                    ? await loadBalancing.RegisterAsync(scope, target.Ref.InstanceId, instances, cancellationToken)
                    : await loadBalancing.DeregisterAsync(scope, target.Ref.InstanceId, instances, cancellationToken);
                if (id is not null)
                {
                    requestIds.Add(id);
                }

                done.Add(target.Name);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed.Add($"{target.Name}: {ex.Message}");
            }

            reads?.Invalidate(scope);
        }

        var list = string.Join(", ", instances);
        var verb = register ? "Registered" : "Deregistered (draining)";
        var summary = failed.Count == 0
            ? $"{verb} {list} {(register ? "in" : "from")} {string.Join(", ", done)}."
            : $"{(done.Count > 0 ? $"{verb} {list} {(register ? "in" : "from")} {string.Join(", ", done)}; " : string.Empty)}failed for {string.Join("; ", failed)}";
        return new ActionExecution(failed.Count == 0, summary, requestIds.Count == 0 ? null : string.Join(",", requestIds)) { PartlySucceeded = failed.Count > 0 && done.Count > 0 };
    }
}
