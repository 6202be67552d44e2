using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;

namespace PortalOps.Jobs.Sandbox;

/// <summary>The sandbox's resize and volume-type changes, with EC2's rules: an instance changes type only while stopped.</summary>
public sealed partial class SandboxCloud : IResourceModifier
{
    public Task<string?> ChangeInstanceTypeAsync(InstanceRef instance, string instanceType, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_instances.TryGetValue(instance, out var current))
            {
                throw NotFound(instance);
            }

            if (current.InstanceType != instanceType)
            {
                if (current.State != InstanceState.Stopped)
                {
                    throw new InvalidOperationException($"IncorrectInstanceState: The instance '{instance.InstanceId}' is not in the 'stopped' state.");
                }

                _instances[instance] = current with { InstanceType = instanceType };
            }
        }

        _events.Publish(instance);
        return Task.FromResult<string?>(RequestId());
    }

    public Task<string?> ChangeVolumeTypeAsync(CloudScope scope, string volumeId, string volumeType, CancellationToken cancellationToken = default)
    {
        InstanceRef? owner = null;
        lock (_gate)
        {
            if (_looseVolumes.TryGetValue(volumeId, out var loose) && loose.Scope == scope)
            {
                _looseVolumes[volumeId] = loose with { VolumeType = volumeType };
            }
            else if (AttachedVolume(scope, volumeId) is { } instance)
            {
                _instances[instance.Ref] = instance with
                {
                    Volumes = instance.Volumes.Select(v => v.VolumeId == volumeId ? v with { VolumeType = volumeType } : v).ToList(),
                };
                owner = instance.Ref;
            }
            else
            {
                throw new InvalidOperationException($"InvalidVolume.NotFound: The volume '{volumeId}' does not exist.");
            }
        }

        if (owner is not null)
        {
            _events.Publish(owner);
        }

        return Task.FromResult<string?>(RequestId());
    }
}
