using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Patching;

/// <summary>Patch runs, saved with optimistic concurrency.</summary>
public interface IPatchRunStore
{
    Task AddAsync(PatchRun run, CancellationToken cancellationToken = default);

    Task<PatchRun?> FindAsync(Guid id, CancellationToken cancellationToken = default);

    Task<PatchRun?> FindByKeyAsync(string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Saves the run if the stored one still has <paramref name="expectedVersion"/>; otherwise throws <see cref="ConcurrencyConflictException"/>.</summary>
    Task SaveAsync(PatchRun run, int expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Runs not finished yet (awaiting approval, approved, running).</summary>
    Task<IReadOnlyList<Guid>> ActiveAsync(CancellationToken cancellationToken = default);

    /// <summary>The newest runs first, only those the scope covers.</summary>
    Task<Page<PatchRun>> QueryAsync(ReadScope scope, int pageIndex, int pageSize, CancellationToken cancellationToken = default);
}

/// <summary>Baselines (every version kept) and patch groups.</summary>
public interface IPatchCatalog
{
    /// <summary>The newest version of each baseline.</summary>
    Task<IReadOnlyList<PatchBaseline>> BaselinesAsync(CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PatchBaseline>> HistoryAsync(Guid baselineId, CancellationToken cancellationToken = default);

    /// <summary>Adds a version; throws <see cref="ConcurrencyConflictException"/> when that version of the baseline already exists.</summary>
    Task AddVersionAsync(PatchBaseline baseline, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PatchGroup>> GroupsAsync(CancellationToken cancellationToken = default);

    Task SaveGroupAsync(PatchGroup group, CancellationToken cancellationToken = default);
}

/// <summary>The latest patch state of each instance, with its footprint for scoped reads.</summary>
public interface IPatchStateStore
{
    /// <summary>Replaces the state of these instances (by instance).</summary>
    Task UpsertAsync(IReadOnlyList<InstancePatchState> states, CancellationToken cancellationToken = default);

    Task<Page<InstancePatchState>> QueryAsync(PatchStateQuery query, CancellationToken cancellationToken = default);

    /// <summary>Every state the scope covers (for summaries; a store may aggregate in SQL instead).</summary>
    Task<IReadOnlyList<InstancePatchState>> ListAsync(ReadScope scope, CancellationToken cancellationToken = default);

    /// <summary>Adds today's counts per account and region (replacing today's, so a second scan the same day does not double them).</summary>
    Task RecordTrendAsync(IReadOnlyList<PatchComplianceSnapshot> snapshots, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PatchComplianceSnapshot>> TrendAsync(ReadScope scope, DateOnly from, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims the scan of one account and region: true when no scan was claimed there in the last <paramref name="interval"/>
    /// (so a second run of the job, on this node or another, does not send Scan again).
    /// </summary>
    Task<bool> TryClaimScanAsync(CloudScope scope, DateTimeOffset now, TimeSpan interval, CancellationToken cancellationToken = default);
}

/// <summary>Whether a wave's instances are healthy: status checks pass and none of their alert rules fired since <c>since</c>.</summary>
public interface IPatchHealthGate
{
    Task<HealthGateResult> CheckAsync(IReadOnlyList<InstanceRef> instances, DateTimeOffset since, CancellationToken cancellationToken = default);
}

/// <summary>
/// What happens around a reboot: draining load-balanced instances from their target groups before a wave that may reboot,
/// and registering them back after. The default does nothing; the load-balancing module supplies the drain.
/// </summary>
public interface IRebootPreparation
{
    Task PrepareAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default);

    Task RestoreAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default);
}

/// <summary>No drain: used until a load balancer integration is registered.</summary>
public sealed class NoRebootPreparation : IRebootPreparation
{
    public Task PrepareAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task RestoreAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default) => Task.CompletedTask;
}

/// <summary>Told when a run's wave or status changes (Telegram edits one message per run; failures notify).</summary>
public interface IPatchRunNotifier
{
    Task ChangedAsync(PatchRun run, CancellationToken cancellationToken = default);
}

/// <summary>Tells no one: the default when no channel is configured.</summary>
public sealed class SilentPatchRunNotifier : IPatchRunNotifier
{
    public Task ChangedAsync(PatchRun run, CancellationToken cancellationToken = default) => Task.CompletedTask;
}

/// <summary>Patch compliance summarized for a reader: what the compliance PDF and the pages use.</summary>
public interface IPatchComplianceSummary
{
    Task<IReadOnlyList<PatchComplianceRow>> SummarizeAsync(ReadScope scope, PatchComplianceDimension by, CancellationToken cancellationToken = default);
}

/// <summary>
/// The live state and status checks of instances, read from EC2 when asked (DescribeInstanceStatus with IncludeAllInstances), not from
/// the monitoring module's last collection. An instance EC2 no longer reports is left out of the answer.
/// </summary>
public interface IInstanceStatusReader
{
    Task<IReadOnlyList<LiveInstanceStatus>> ReadAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default);
}
