using Microsoft.Extensions.Options;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;

namespace PortalOps.Jobs.Sandbox;

/// <summary>
/// The embedded cloud: one simulated AWS account with a fleet in two regions whose instances move through EC2's states
/// with realistic timings. Used when no <c>Aws</c> section is configured. State lives in memory and is reset at start.
/// Besides the fleet it keeps what surrounds it (volumes, snapshots, Elastic IPs, protections) and launches new instances;
/// the resource and launch parts are in the other <c>SandboxCloud.*.cs</c> files.
/// </summary>
public sealed partial class SandboxCloud : ICloudProvider, IInventory, ICompute, IInstanceLauncher, ICloudResources, IInstanceAttributes,
    IElasticIps, IVolumes, ISnapshots, IImageCatalog, IInstanceTypeCatalog, IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<InstanceRef, Instance> _instances;
    private readonly Dictionary<string, ComputeResult> _completed = new(StringComparer.Ordinal);
    private readonly List<ITimer> _timers = [];
    private readonly TimeProvider _clock;
    private readonly IFleetEvents _events;
    private readonly SandboxOptions _options;

    public SandboxCloud(IOptions<SandboxOptions> options, TimeProvider clock, IFleetEvents events)
    {
        _options = options.Value;
        _clock = clock;
        _events = events;
        _instances = SandboxFleet.Generate(_options.Seed, _options.InstanceCount, clock.GetUtcNow()).ToDictionary(i => i.Ref);
        Accounts = [new CloudAccount(SandboxFleet.AccountId, "Sandbox", SandboxFleet.Regions, IsSandbox: true)];
        SeedLeftovers();
    }

    public string Name => "Sandbox";

    public bool IsSandbox => true;

    public IReadOnlyList<CloudAccount> Accounts { get; }

    public Task<Page<Instance>> QueryAsync(InstanceQuery query, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(query.Apply(_instances.Values));
        }
    }

    public Task<Instance?> FindAsync(InstanceRef instance, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_instances.GetValueOrDefault(instance));
        }
    }

    public Task<FleetSummary> SummarizeAsync(IReadOnlyList<PortalOps.Domain.Security.Scope>? visibleTo = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(FleetSummary.Of(_instances.Values, visibleTo));
        }
    }

    public Task<ComputeResult> ApplyAsync(InstanceAction action, IReadOnlyList<InstanceRef> targets, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        var changed = new List<InstanceRef>();
        ComputeResult result;
        lock (_gate)
        {
            if (_completed.TryGetValue(idempotencyKey, out var earlier))
            {
                return Task.FromResult(earlier);
            }

            var results = new List<TargetResult>(targets.Count);
            foreach (var target in targets)
            {
                results.Add(Apply(action, target, changed));
            }

            result = new ComputeResult(results, $"sandbox-{Guid.NewGuid():N}");
            _completed[idempotencyKey] = result;
        }

        foreach (var target in changed)
        {
            _events.Publish(target);
        }

        return Task.FromResult(result);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var timer in _timers)
            {
                timer.Dispose();
            }

            _timers.Clear();
        }
    }

    // Called under the lock.
    private TargetResult Apply(InstanceAction action, InstanceRef target, List<InstanceRef> changed)
    {
        if (!_instances.TryGetValue(target, out var instance))
        {
            return new TargetResult(target, false, $"InvalidInstanceID.NotFound: The instance ID '{target.InstanceId}' does not exist");
        }

        var protection = _protection.GetValueOrDefault(target);
        if (action == InstanceAction.Terminate && protection.Termination && instance.State != InstanceState.Terminated)
        {
            return new TargetResult(target, false, $"OperationNotPermitted: The instance '{target.InstanceId}' may not be terminated: termination protection is on. Turn it off on the instance's page first.");
        }

        if (action is InstanceAction.Stop or InstanceAction.Hibernate && protection.Stop && instance.State == InstanceState.Running)
        {
            return new TargetResult(target, false, $"OperationNotPermitted: The instance '{target.InstanceId}' may not be stopped: stop protection is on. Turn it off on the instance's page first.");
        }

        if (action == InstanceAction.Hibernate && !instance.HibernationConfigured)
        {
            return new TargetResult(target, false, $"UnsupportedOperation: The instance '{target.InstanceId}' was not launched with hibernation enabled; stop it instead.");
        }

        (InstanceState? next, InstanceState? settled, double delay) = (action, instance.State) switch
        {
            (InstanceAction.Start, InstanceState.Stopped) => ((InstanceState?)InstanceState.Pending, (InstanceState?)InstanceState.Running, _options.PendingSeconds),
            (InstanceAction.Start, InstanceState.Running or InstanceState.Pending) => (instance.State, instance.State, -1),
            (InstanceAction.Stop, InstanceState.Running) => (InstanceState.Stopping, InstanceState.Stopped, _options.StoppingSeconds),
            (InstanceAction.Stop, InstanceState.Stopped or InstanceState.Stopping) => (instance.State, instance.State, -1),
            (InstanceAction.Hibernate, InstanceState.Running) => (InstanceState.Stopping, InstanceState.Stopped, _options.StoppingSeconds),
            (InstanceAction.Hibernate, InstanceState.Stopped or InstanceState.Stopping) => (instance.State, instance.State, -1),
            (InstanceAction.Reboot, InstanceState.Running) => (InstanceState.Running, InstanceState.Running, -1),
            (InstanceAction.Terminate, InstanceState.Terminated or InstanceState.ShuttingDown) => (instance.State, instance.State, -1),
            (InstanceAction.Terminate, _) => (InstanceState.ShuttingDown, InstanceState.Terminated, _options.ShuttingDownSeconds),
            _ => (null, null, -1),
        };

        if (next is null || settled is null)
        {
            return new TargetResult(target, false, $"IncorrectInstanceState: The instance '{target.InstanceId}' is {Describe(instance.State)} and cannot be {Past(action)}.");
        }

        if (next != instance.State)
        {
            _instances[target] = instance with { State = next.Value, PublicIp = next == InstanceState.Pending ? instance.PublicIp : null };
            changed.Add(target);
            if (next == InstanceState.ShuttingDown)
            {
                ReleaseOnTermination(instance);
            }

            Schedule(target, next.Value, settled.Value, delay);
        }

        return new TargetResult(target, true, null, next);
    }

    private void Schedule(InstanceRef target, InstanceState from, InstanceState to, double seconds)
    {
        ITimer? timer = null;
        timer = _clock.CreateTimer(
            _ =>
            {
                var moved = false;
                lock (_gate)
                {
                    if (_instances.TryGetValue(target, out var current) && current.State == from)
                    {
                        _instances[target] = current with { State = to };
                        moved = true;
                    }

                    if (timer is not null)
                    {
                        _timers.Remove(timer);
                        timer.Dispose();
                    }
                }

                if (moved)
                {
                    _events.Publish(target);
                }
            },
            null,
            TimeSpan.FromSeconds(Math.Max(0, seconds)),
            Timeout.InfiniteTimeSpan);
        _timers.Add(timer);
    }

    private static string Describe(InstanceState state) => state switch
    {
        InstanceState.ShuttingDown => "shutting-down",
        _ => state.ToString().ToLowerInvariant(),
    };

    private static string Past(InstanceAction action) => action switch
    {
        InstanceAction.Start => "started",
        InstanceAction.Stop => "stopped",
        InstanceAction.Reboot => "rebooted",
        InstanceAction.Terminate => "terminated",
        InstanceAction.Hibernate => "hibernated",
    };
}
