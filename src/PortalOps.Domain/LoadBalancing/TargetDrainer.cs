using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Patching;

namespace PortalOps.Domain.LoadBalancing;

/// <summary>
/// Drain before stop: takes instances out of every target group they are registered in (one DeregisterTargets per group), then
/// looks at their health until none is <c>draining</c> any more — bounded by the longest deregistration delay of those groups
/// (and <see cref="LoadBalancingSettings.MaxDrainWait"/>) — waiting between looks with timers rather than a blocked thread.
/// What it took out is remembered, so a reboot or a later start registers the instances again.
/// Where the instances are registered comes from a recent read of the scope when there is one (checked with one DescribeTargetHealth
/// for just these instances per candidate group), otherwise from every group's health. Also the patching module's
/// <see cref="IRebootPreparation"/>.
/// </summary>
public sealed class TargetDrainer(ILoadBalancing loadBalancing, IDrainedRegistrations remembered, LoadBalancingSettings settings, TimeProvider clock, IDrainProgress? progress = null, LoadBalancingReads? reads = null)
    : IInstanceDrain, IRebootPreparation
{
    private readonly IDrainProgress progress = progress ?? new SilentDrainProgress();

    public async Task<DrainOutcome> DrainAsync(InstanceAction action, IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default)
    {
        var taken = new List<(CloudScope Scope, TargetGroup Group, IReadOnlyList<TargetRef> Targets, TimeSpan Delay)>();
        var requestIds = new List<string>();
        foreach (var scope in instances.GroupBy(i => new CloudScope(i.AccountId, i.Region)))
        {
            var ids = scope.Select(i => i.InstanceId).ToHashSet(StringComparer.Ordinal);
            var groups = await GroupsWithAsync(scope.Key, ids, cancellationToken);
            foreach (var group in groups)
            {
                var registrations = group.RegistrationsOf(ids).Select(t => new TargetRef(t.TargetId, t.Port)).ToList();
                if (registrations.Count == 0)
                {
                    continue;
                }

                var delay = group.DeregistrationDelay ?? await loadBalancing.DeregistrationDelayAsync(scope.Key, group.Arn, cancellationToken);
                taken.Add((scope.Key, group, registrations, delay));
            }
        }

        if (taken.Count == 0)
        {
            return DrainOutcome.None;
        }

        if (action != InstanceAction.Terminate)
        {
            await remembered.SaveAsync(taken.SelectMany(t => t.Targets.Select(x => new DrainedRegistration(new InstanceRef(t.Scope.AccountId, t.Scope.Region, x.Id), t.Group.Arn, t.Group.Name, x.Port))).ToList(), cancellationToken);
        }

        foreach (var t in taken)
        {
            if (await loadBalancing.DeregisterAsync(t.Scope, t.Group.Arn, t.Targets, cancellationToken) is { } id)
            {
                requestIds.Add(id);
            }
        }

        // The delay runs from the deregistration, so the bound does too.
        var started = clock.GetTimestamp();
        var longest = taken.Max(t => t.Delay);
        var bound = longest < settings.MaxDrainWait ? longest : settings.MaxDrainWait;
        var names = string.Join(", ", taken.Select(t => t.Group.Name).Distinct(StringComparer.Ordinal));
        var registrationCount = taken.Sum(t => t.Targets.Count);
        await progress.ReportAsync(new DrainProgress(instances, names, registrationCount, registrationCount, TimeSpan.Zero, bound), cancellationToken);

        var pending = taken.ToList();
        while (true)
        {
            var still = new List<(CloudScope Scope, TargetGroup Group, IReadOnlyList<TargetRef> Targets, TimeSpan Delay)>();
            foreach (var t in pending)
            {
                var health = await loadBalancing.HealthAsync(t.Scope, t.Group.Arn, t.Targets, cancellationToken);
                var draining = t.Targets.Where(x => health.Any(h => h.TargetId == x.Id && h.State == TargetHealthState.Draining)).ToList();
                if (draining.Count > 0)
                {
                    still.Add(t with { Targets = draining });
                }
            }

            pending = still;
            var waited = clock.GetElapsedTime(started);
            if (pending.Count == 0)
            {
                return new DrainOutcome(registrationCount, $"Drained from {names} in {Seconds(waited)} (deregistration delay {Seconds(longest)}).", requestIds) { Waited = waited };
            }

            var left = bound - waited;
            if (left <= TimeSpan.Zero)
            {
                return new DrainOutcome(registrationCount, $"Deregistered from {names}; {pending.Sum(p => p.Targets.Count)} target(s) still draining after {Seconds(waited)} (bound {Seconds(bound)}), acting anyway.", requestIds) { Waited = waited };
            }

            await progress.ReportAsync(new DrainProgress(instances, names, registrationCount, pending.Sum(p => p.Targets.Count), waited, bound), cancellationToken);
            await Task.Delay(left < settings.DrainPollInterval ? left : settings.DrainPollInterval, clock, cancellationToken);
        }
    }

    public async Task<DrainOutcome> RestoreAsync(InstanceAction action, IReadOnlyList<InstanceRef> instances, DrainOutcome? drained, CancellationToken cancellationToken = default)
    {
        var registrations = await remembered.TakeAsync(instances, cancellationToken);
        if (registrations.Count == 0)
        {
            return DrainOutcome.None;
        }

        var requestIds = new List<string>();
        foreach (var group in registrations.GroupBy(r => (Scope: new CloudScope(r.Instance.AccountId, r.Instance.Region), r.TargetGroupArn)))
        {
            var id = await loadBalancing.RegisterAsync(group.Key.Scope, group.Key.TargetGroupArn, group.Select(r => new TargetRef(r.Instance.InstanceId, r.Port)).ToList(), cancellationToken);
            if (id is not null)
            {
                requestIds.Add(id);
            }
        }

        var names = string.Join(", ", registrations.Select(r => r.TargetGroupName).Distinct(StringComparer.Ordinal));
        return new DrainOutcome(registrations.Count, $"Registered again in {names}.", requestIds);
    }

    /// <summary>The scope's groups that may hold these instances, with their current health for them.</summary>
    private async Task<IReadOnlyList<TargetGroup>> GroupsWithAsync(CloudScope scope, IReadOnlySet<string> ids, CancellationToken cancellationToken)
    {
        if (reads?.Cached(scope, settings.RegistrationIndexAge) is not { } view)
        {
            return await loadBalancing.TargetGroupsAsync(scope, cancellationToken);
        }

        var asked = ids.Select(id => new TargetRef(id)).ToList();
        var confirmed = new List<TargetGroup>();
        foreach (var candidate in view.TargetGroups.Where(g => g.Targets.Any(t => ids.Contains(t.TargetId))))
        {
            var health = await loadBalancing.HealthAsync(scope, candidate.Arn, asked, cancellationToken);
            confirmed.Add(candidate with { Targets = health });
        }

        return confirmed;
    }

    Task IRebootPreparation.PrepareAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken) =>
        DrainAsync(InstanceAction.Reboot, instances, cancellationToken);

    Task IRebootPreparation.RestoreAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken) =>
        RestoreAsync(InstanceAction.Reboot, instances, null, cancellationToken);

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0} s";
}

/// <summary>Where a drain is: for a status line on the page or an edited Telegram message.</summary>
public sealed record DrainProgress(IReadOnlyList<InstanceRef> Instances, string TargetGroups, int Registrations, int StillDraining, TimeSpan Waited, TimeSpan Bound)
{
    public string Describe() => StillDraining == 0 || Waited == TimeSpan.Zero
        ? $"Draining {Registrations} registration(s) from {TargetGroups} (up to {Bound.TotalSeconds:0} s)…"
        : $"Draining from {TargetGroups}: {StillDraining} of {Registrations} still draining after {Waited.TotalSeconds:0} s of up to {Bound.TotalSeconds:0} s…";
}

/// <summary>Told how a drain goes (the instance's page, a Telegram message being edited).</summary>
public interface IDrainProgress
{
    Task ReportAsync(DrainProgress progress, CancellationToken cancellationToken = default);
}

public sealed class SilentDrainProgress : IDrainProgress
{
    public Task ReportAsync(DrainProgress progress, CancellationToken cancellationToken = default) => Task.CompletedTask;
}
