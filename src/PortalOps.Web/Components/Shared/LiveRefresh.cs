namespace PortalOps.Web.Components.Shared;

/// <summary>
/// Turns a burst of change notifications into at most one refresh per interval, plus a slow periodic refresh
/// so that changes made on another node still show up.
/// </summary>
public sealed class LiveRefresh : IDisposable
{
    private readonly Func<Task> _refresh;
    private readonly Timer _debounce;
    private readonly Timer _periodic;
    private readonly TimeSpan _delay;
    private int _pending;

    public LiveRefresh(Func<Task> refresh, TimeSpan delay, TimeSpan? period = null)
    {
        _refresh = refresh;
        _delay = delay;
        _debounce = new Timer(_ => Fire(), null, Timeout.Infinite, Timeout.Infinite);
        var every = period ?? TimeSpan.FromSeconds(15);
        _periodic = new Timer(_ => Fire(), null, every, every);
    }

    public void Poke()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            _debounce.Change(_delay, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        _debounce.Dispose();
        _periodic.Dispose();
    }

    private void Fire()
    {
        Interlocked.Exchange(ref _pending, 0);
        _ = SafeRefreshAsync();
    }

    private async Task SafeRefreshAsync()
    {
        try
        {
            await _refresh();
        }
        catch (ObjectDisposedException)
        {
            // The page closed between the change and the refresh.
        }
    }
}
