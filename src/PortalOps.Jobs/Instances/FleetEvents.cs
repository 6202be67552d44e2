using PortalOps.Domain.Instances;

namespace PortalOps.Jobs.Instances;

/// <summary>In-process fan-out of instance changes to open pages. Subscribers must not block; failures in one never reach another.</summary>
public sealed class FleetEvents : IFleetEvents
{
    private readonly Lock _gate = new();
    private Action<InstanceRef>[] _subscribers = [];

    public IDisposable Subscribe(Action<InstanceRef> onChanged)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers, onChanged];
        }

        return new Subscription(this, onChanged);
    }

    public void Publish(InstanceRef changed)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            try
            {
                subscriber(changed);
            }
            catch (Exception)
            {
                // A page that went away while being told about a change is not the publisher's problem.
            }
        }
    }

    private void Unsubscribe(Action<InstanceRef> onChanged)
    {
        lock (_gate)
        {
            _subscribers = _subscribers.Where(s => s != onChanged).ToArray();
        }
    }

    private sealed class Subscription(FleetEvents owner, Action<InstanceRef> onChanged) : IDisposable
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
