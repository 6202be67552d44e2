using PortalOps.Domain.Approvals;

namespace PortalOps.Jobs.ScaleOut;

/// <summary>In-process fan-out of a change without data to open pages. Subscribers must not block; one failing never reaches another.</summary>
public class LocalSignal
{
    private readonly Lock _gate = new();
    private Action[] _subscribers = [];

    public IDisposable Subscribe(Action onChanged)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers, onChanged];
        }

        return new Subscription(this, onChanged);
    }

    /// <summary>Tells this node's subscribers.</summary>
    public void PublishHere()
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            try
            {
                subscriber();
            }
            catch (Exception)
            {
                // A page that closed meanwhile is not the publisher's problem.
            }
        }
    }

    private void Unsubscribe(Action onChanged)
    {
        lock (_gate)
        {
            _subscribers = _subscribers.Where(s => s != onChanged).ToArray();
        }
    }

    private sealed class Subscription(LocalSignal owner, Action onChanged) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(onChanged);
            }
        }
    }
}

/// <summary>Approval changes on this node only (SQLite, one node).</summary>
public sealed class ApprovalEvents : LocalSignal, IApprovalEvents
{
    public void Publish() => PublishHere();
}
