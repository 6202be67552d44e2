using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Provisioning;

/// <summary>
/// Launches through <see cref="IInstanceLauncher"/> after checking the launch again against what the provider offers, so a
/// launch that cannot work fails before anything starts. The idempotency key is the launch's client token: the same key
/// (a retried submit, a job run twice) finds the instances the first call made instead of making more.
/// </summary>
public sealed class LaunchExecutor(IInstanceLauncher launcher, LaunchPlanner planner) : IActionExecutor
{
    public bool CanExecute(ActionKind kind) => kind == ActionKind.LaunchInstances;

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        var placement = targets.Single();
        var spec = LaunchParameters.ToSpec(placement, parameters);
        var validation = await planner.ValidateAsync(spec, cancellationToken);
        if (!validation.IsValid)
        {
            return new ActionExecution(false, $"Not launched: {validation}", null);
        }

        try
        {
            var result = await launcher.LaunchAsync(spec.ToRequest(), idempotencyKey, cancellationToken);
            var ids = string.Join(", ", result.Instances.Select(i => i.InstanceId));
            var summary = result.Replayed
                ? $"Already launched by an earlier try of the same request: {ids}."
                : $"Launched {result.Instances.Count} instance(s) in {spec.AvailabilityZone}: {ids}.";
            return new ActionExecution(true, summary, result.RequestId) { Created = result.Instances };
        }
        catch (LaunchRefusedException e)
        {
            return new ActionExecution(false, $"Not launched: {e.Message}", e.RequestId);
        }
    }
}
