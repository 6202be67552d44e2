using PortalOps.Domain.Instances;

namespace PortalOps.Domain.LoadBalancing;

/// <summary>A drain's last report for one instance, as kept where every node can read it.</summary>
public sealed record DrainState(InstanceRef Instance, DrainProgress Progress, DateTimeOffset UpdatedAt);

/// <summary>Keeps each instance's latest drain report (the instance page reads it; a drain may run on another node).</summary>
public interface IDrainProgressStore
{
    Task SaveAsync(DrainProgress progress, DateTimeOffset at, CancellationToken cancellationToken = default);

    Task<DrainState?> FindAsync(InstanceRef instance, CancellationToken cancellationToken = default);
}

/// <summary>
/// Where drain reports go: the store (when there is one) and whoever in this process is watching the instances — the instance
/// page while it is open, the Telegram message of the press that asked for the stop. A watcher that fails is left out, never the drain.
/// </summary>
public sealed class DrainProgressFeed(TimeProvider clock, IDrainProgressStore? store = null) : IDrainProgress
{
    private readonly Lock gate = new();
    private readonly List<(IReadOnlySet<InstanceRef> Instances, Func<DrainProgress, Task> Tell)> watchers = [];

    public async Task ReportAsync(DrainProgress progress, CancellationToken cancellationToken = default)
    {
        if (store is not null)
        {
            try
            {
                await store.SaveAsync(progress, clock.GetUtcNow(), cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // A report that cannot be kept does not stop the drain.
            }
        }

        List<Func<DrainProgress, Task>> tell;
        lock (gate)
        {
            tell = watchers.Where(w => progress.Instances.Any(w.Instances.Contains)).Select(w => w.Tell).ToList();
        }

        foreach (var t in tell)
        {
            try
            {
                await t(progress);
            }
            catch (Exception)
            {
                // The page was closed or the message could not be edited.
            }
        }
    }

    /// <summary>Hears every report about these instances until disposed.</summary>
    public IDisposable Watch(IReadOnlyList<InstanceRef> instances, Func<DrainProgress, Task> tell)
    {
        var entry = (Instances: (IReadOnlySet<InstanceRef>)instances.ToHashSet(), Tell: tell);
        lock (gate)
        {
            watchers.Add(entry);
        }

        return new Unwatch(() =>
        {
            lock (gate)
            {
                watchers.Remove(entry);
            }
        });
    }

    public Task<DrainState?> LatestAsync(InstanceRef instance, CancellationToken cancellationToken = default) =>
        store?.FindAsync(instance, cancellationToken) ?? Task.FromResult<DrainState?>(null);

    private sealed class Unwatch(Action undo) : IDisposable
    {
        private int done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref done, 1) == 0)
            {
                undo();
            }
        }
    }
}
