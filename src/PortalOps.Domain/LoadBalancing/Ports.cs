using PortalOps.Domain.Instances;

namespace PortalOps.Domain.LoadBalancing;

/// <summary>Load balancers and target groups of the cloud (ELBv2 or the sandbox), read and changed per account and region.</summary>
public interface ILoadBalancing
{
    /// <summary>Every load balancer in the scope with its listeners and their rules.</summary>
    Task<IReadOnlyList<LoadBalancer>> LoadBalancersAsync(CloudScope scope, CancellationToken cancellationToken = default);

    /// <summary>Every target group in the scope with the health of each registered target (attributes not read: see <see cref="DeregistrationDelayAsync"/>).</summary>
    Task<IReadOnlyList<TargetGroup>> TargetGroupsAsync(CloudScope scope, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every target group in the scope without tags, and without health where reading it costs a call per group (a drain's search
    /// asks each group about just its instances). By default the full read.
    /// </summary>
    async Task<IReadOnlyList<TargetGroup>> TargetGroupListAsync(CloudScope scope, CancellationToken cancellationToken = default) =>
        await TargetGroupsAsync(scope, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// <see cref="TargetGroupListAsync"/> a page at a time, so that a drain's search can ask the groups of the first page while
    /// the next is read. By default the whole list as one page.
    /// </summary>
    async IAsyncEnumerable<IReadOnlyList<TargetGroup>> TargetGroupPagesAsync(CloudScope scope, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return await TargetGroupListAsync(scope, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One target group's health now; only the given targets when <paramref name="targetIds"/> is set.</summary>
    Task<IReadOnlyList<TargetHealthEntry>> HealthAsync(CloudScope scope, string targetGroupArn, IReadOnlyList<TargetRef>? targets = null, CancellationToken cancellationToken = default);

    /// <summary>The group's <c>deregistration_delay.timeout_seconds</c>.</summary>
    Task<TimeSpan> DeregistrationDelayAsync(CloudScope scope, string targetGroupArn, CancellationToken cancellationToken = default);

    /// <summary>Registers targets; returns the provider's request id.</summary>
    Task<string?> RegisterAsync(CloudScope scope, string targetGroupArn, IReadOnlyList<TargetRef> targets, CancellationToken cancellationToken = default);

    /// <summary>Deregisters targets (they drain for the group's delay); returns the provider's request id.</summary>
    Task<string?> DeregisterAsync(CloudScope scope, string targetGroupArn, IReadOnlyList<TargetRef> targets, CancellationToken cancellationToken = default);
}

/// <summary>One registration a drain took out, to put back after a start or a reboot.</summary>
public sealed record DrainedRegistration(InstanceRef Instance, string TargetGroupArn, string TargetGroupName, int? Port)
{
    /// <summary>When the drain took it out (set by the store).</summary>
    public DateTimeOffset SavedAt { get; init; }
}

/// <summary>
/// Remembers registrations that a stop took out, so that starting the instance later registers it again.
/// </summary>
public interface IDrainedRegistrations
{
    Task SaveAsync(IReadOnlyList<DrainedRegistration> registrations, CancellationToken cancellationToken = default);

    /// <summary>Returns and forgets what was saved for these instances.</summary>
    Task<IReadOnlyList<DrainedRegistration>> TakeAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default);

    /// <summary>Everything remembered, oldest first (the resume after a restart).</summary>
    Task<IReadOnlyList<DrainedRegistration>> ListAsync(CancellationToken cancellationToken = default);
}

/// <summary>Keeps drained registrations in memory (lost at restart); the default until a durable store is registered.</summary>
public sealed class InMemoryDrainedRegistrations(TimeProvider? clock = null) : IDrainedRegistrations
{
    private readonly TimeProvider clock = clock ?? TimeProvider.System;
    private readonly Lock gate = new();
    private readonly List<DrainedRegistration> saved = [];

    public Task SaveAsync(IReadOnlyList<DrainedRegistration> registrations, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            foreach (var r in registrations)
            {
                saved.RemoveAll(s => s.Instance == r.Instance && s.TargetGroupArn == r.TargetGroupArn);
                saved.Add(r with { SavedAt = clock.GetUtcNow() });
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DrainedRegistration>> TakeAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var wanted = instances.ToHashSet();
            var taken = saved.Where(s => wanted.Contains(s.Instance)).ToList();
            saved.RemoveAll(s => wanted.Contains(s.Instance));
            return Task.FromResult<IReadOnlyList<DrainedRegistration>>(taken);
        }
    }

    public Task<IReadOnlyList<DrainedRegistration>> ListAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<DrainedRegistration>>(saved.OrderBy(s => s.SavedAt).ToList());
        }
    }
}

/// <summary>One instance's registration in a target group as a read of the scope saw it.</summary>
public sealed record IndexedRegistration(string TargetGroupArn, string TargetGroupName, string InstanceId, int? Port);

/// <summary>Which target groups held which instances at the last read of one account and region.</summary>
public sealed record RegistrationIndexSnapshot(CloudScope Scope, DateTimeOffset ReadAt, IReadOnlyList<IndexedRegistration> Registrations)
{
    public static RegistrationIndexSnapshot Of(LoadBalancingView view) => new(view.Scope, view.ReadAt,
        view.TargetGroups.SelectMany(g => g.Targets.Where(t => t.State != TargetHealthState.Unused || t.Reason != TargetGroup.NotRegistered)
            .Select(t => new IndexedRegistration(g.Arn, g.Name, t.TargetId, t.Port))).ToList());
}

/// <summary>
/// The registrations of the last read of each scope, kept where a restart does not lose them: a drain takes its candidate target
/// groups from here instead of reading every group's health first (ELBv2 cannot be asked which groups hold an instance).
/// </summary>
public interface IRegistrationIndex
{
    Task RecordAsync(RegistrationIndexSnapshot snapshot, CancellationToken cancellationToken = default);

    Task<RegistrationIndexSnapshot?> LatestAsync(CloudScope scope, CancellationToken cancellationToken = default);
}

/// <summary>The index in memory (tests, benchmark; lost at restart).</summary>
public sealed class InMemoryRegistrationIndex : IRegistrationIndex
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<CloudScope, RegistrationIndexSnapshot> latest = new();

    public Task RecordAsync(RegistrationIndexSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        latest.AddOrUpdate(snapshot.Scope, snapshot, (_, old) => old.ReadAt > snapshot.ReadAt ? old : snapshot);
        return Task.CompletedTask;
    }

    public Task<RegistrationIndexSnapshot?> LatestAsync(CloudScope scope, CancellationToken cancellationToken = default) =>
        Task.FromResult(latest.TryGetValue(scope, out var s) ? s : null);
}
