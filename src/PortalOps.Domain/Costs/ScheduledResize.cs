using System.Globalization;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Costs;

/// <summary>When an approved resize runs: at once, not before a chosen time, or in the instance's next maintenance window.</summary>
public enum ResizeTiming
{
    Now,
    At,
    MaintenanceWindow,
}

public enum ScheduledResizeStatus
{
    Waiting,
    Running,
    Done,
    Failed,
}

/// <summary>
/// An approved resize waiting for its time: recorded by the executor when the approval is carried out before the time, and
/// run by the <see cref="ScheduledResizeRunner"/> once the time has come or a maintenance window covering the instance is open.
/// Keyed by the approval id, so recording it twice keeps one.
/// </summary>
public sealed record ScheduledResize(Guid ApprovalId, InstanceRef Target, string InstanceType, ResizeTiming Timing, DateTimeOffset? NotBefore, DateTimeOffset CreatedAt)
{
    public ScheduledResizeStatus Status { get; init; } = ScheduledResizeStatus.Waiting;

    public string? Summary { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The step keys of the resize: the same as an immediate run of this approval would use.</summary>
    public string Key => $"{ApprovalId:N}:{Target.InstanceId}";

    public string Describe() => Timing == ResizeTiming.MaintenanceWindow
        ? $"in the next maintenance window covering {Target.InstanceId}{(NotBefore is { } t ? string.Create(CultureInfo.InvariantCulture, $", not before {t:yyyy-MM-dd HH:mm} UTC") : string.Empty)}"
        : string.Create(CultureInfo.InvariantCulture, $"at {NotBefore:yyyy-MM-dd HH:mm} UTC");

    /// <summary>Whether it may run now: its time has come, and for a window resize a window covering the instance is open.</summary>
    public bool IsDue(DateTimeOffset now, Instance? instance, IEnumerable<MaintenanceWindow> windows) =>
        (NotBefore is null || NotBefore <= now)
        && (Timing != ResizeTiming.MaintenanceWindow || (instance is not null && windows.Any(w => w.IsActiveAt(now) && w.Scope.Covers(instance))));
}

/// <summary>Resizes approved for later.</summary>
public interface IScheduledResizeStore
{
    /// <summary>Adds it unless one with the same approval id exists.</summary>
    Task AddAsync(ScheduledResize resize, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ScheduledResize>> WaitingAsync(CancellationToken cancellationToken = default);

    /// <summary>Waiting → Running; false when another run claimed it first.</summary>
    Task<bool> TryClaimAsync(Guid approvalId, CancellationToken cancellationToken = default);

    Task CompleteAsync(Guid approvalId, bool succeeded, string summary, DateTimeOffset at, CancellationToken cancellationToken = default);

    Task<ScheduledResize?> FindAsync(Guid approvalId, CancellationToken cancellationToken = default);
}

/// <summary>
/// Runs the resizes whose time has come (a recurring job, every few minutes; safe to run twice: a resize is claimed before it
/// runs, and its steps carry the approval's keys). The outcome is audited like the approved action's.
/// </summary>
public sealed class ScheduledResizeRunner(IScheduledResizeStore store, IInventory inventory, IMaintenanceWindowStore windows, ResizeExecutor executor, IAuditLog audit, TimeProvider clock)
{
    public async Task<int> RunDueAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var waiting = await store.WaitingAsync(cancellationToken);
        if (waiting.Count == 0)
        {
            return 0;
        }

        var open = (await windows.ListAsync(now, cancellationToken)).Where(w => w.IsActiveAt(now)).ToList();
        var ran = 0;
        foreach (var resize in waiting)
        {
            var instance = await inventory.FindAsync(resize.Target, cancellationToken);
            if (!resize.IsDue(now, instance, open) || !await store.TryClaimAsync(resize.ApprovalId, cancellationToken))
            {
                continue;
            }

            var requestIds = new List<string>();
            string? failure;
            try
            {
                failure = await executor.ResizeNowAsync(resize.Target, resize.InstanceType, resize.Key, requestIds, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failure = e.Message;
            }

            var summary = failure is null ? $"Resized {resize.Target.InstanceId} to {resize.InstanceType} ({resize.Describe()})." : $"Resize of {resize.Target.InstanceId} to {resize.InstanceType} failed: {failure}";
            await store.CompleteAsync(resize.ApprovalId, failure is null, summary, clock.GetUtcNow(), CancellationToken.None);
            await audit.AppendAsync(new AuditEvent("PortalOps (scheduled resize)", Guid.Empty, Channel.Job, "instances.resize", resize.Target.ToString(),
                failure is null ? AuditOutcome.Succeeded : AuditOutcome.Failed, summary, $"{{\"approval\":\"{resize.ApprovalId}\"}}", requestIds.Count == 0 ? null : string.Join(",", requestIds))
            {
                Where = instance is null ? null : new Footprint(instance.AccountId, instance.Region, instance.Tags),
            }, CancellationToken.None);
            ran++;
        }

        return ran;
    }
}
