using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;

namespace PortalOps.Jobs.Sandbox;

// What surrounds the fleet: volumes, snapshots, images, Elastic IPs, network, key pairs, protections and tags.
public sealed partial class SandboxCloud
{
    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();
    private readonly Dictionary<InstanceRef, (bool Termination, bool Stop)> _protection = [];
    private readonly Dictionary<string, VolumeInfo> _looseVolumes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AddressInfo> _addresses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SnapshotInfo> _snapshots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _requestTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImageDetails> _ownImages = new(StringComparer.Ordinal);
    private readonly Random _ids = new(4242);

    public Task<IReadOnlyList<VolumeInfo>> VolumesAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var attached = _instances.Values
                .Where(i => i.AccountId == scope.AccountId && i.Region == scope.Region && i.State is not (InstanceState.ShuttingDown or InstanceState.Terminated))
                .SelectMany(i => i.Volumes.Select(v => new VolumeInfo(scope, v.VolumeId, v.SizeGiB, v.VolumeType, "in-use", v.Encrypted, i.AvailabilityZone, i.InstanceId,
                    new Dictionary<string, string> { ["Name"] = $"{i.Name} {v.DeviceName}" })));
            return Task.FromResult<IReadOnlyList<VolumeInfo>>(attached.Concat(_looseVolumes.Values.Where(v => v.Scope == scope)).ToList());
        }
    }

    public Task<IReadOnlyList<SnapshotInfo>> SnapshotsAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<SnapshotInfo>>(_snapshots.Values.Where(s => s.Scope == scope).OrderBy(s => s.StartTime).ToList());
        }
    }

    public Task<IReadOnlyList<ImageInfo>> ImagesAsync(CloudScope scope, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ImageInfo>>(AllImages(scope).Where(i => i.OwnerId == scope.AccountId)
            .Select(i => new ImageInfo(scope, i.ImageId, i.Name, "available", i.OwnerId, i.CreationDate, i.Platform)).ToList());

    public Task<IReadOnlyList<SecurityGroupInfo>> SecurityGroupsAsync(CloudScope scope, CancellationToken cancellationToken = default) =>
        Task.FromResult(Known(scope) ? SandboxCatalog.SecurityGroups(scope) : []);

    public Task<IReadOnlyList<SubnetInfo>> SubnetsAsync(CloudScope scope, CancellationToken cancellationToken = default) =>
        Task.FromResult(Known(scope) ? SandboxCatalog.Subnets(scope) : []);

    public Task<IReadOnlyList<KeyPairInfo>> KeyPairsAsync(CloudScope scope, CancellationToken cancellationToken = default) =>
        Task.FromResult(Known(scope) ? SandboxCatalog.KeyPairs(scope) : []);

    public Task<IReadOnlyList<AvailabilityZoneInfo>> AvailabilityZonesAsync(CloudScope scope, CancellationToken cancellationToken = default) =>
        Task.FromResult(Known(scope) ? SandboxCatalog.Zones(scope) : []);

    public Task<IReadOnlyList<InstanceTypeOffering>> InstanceTypeOfferingsAsync(CloudScope scope, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<InstanceTypeOffering>>(!Known(scope) ? [] :
            SandboxCatalog.Zones(scope).SelectMany(z => SandboxCatalog.Offered(z.ZoneName).Select(t => new InstanceTypeOffering(scope, t.InstanceType, z.ZoneName))).ToList());

    public Task<IReadOnlyList<SpotPrice>> SpotPriceHistoryAsync(CloudScope scope, IReadOnlyList<string> instanceTypes, DateTimeOffset since, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<SpotPrice>>(!Known(scope) ? [] :
            instanceTypes.SelectMany(t => SandboxCatalog.Zones(scope).Select(z => (t, z.ZoneName, Price: PriceTable.Hourly(scope.Region, t))))
                .Where(x => x.Price is not null)
                .Select(x => new SpotPrice(scope, x.t, x.ZoneName, "Linux/UNIX", decimal.Round(x.Price!.Value.PerHour * 0.32m, 4), _clock.GetUtcNow().AddHours(-1)))
                .ToList());

    // ---- IInstanceTypeCatalog, IImageCatalog ----

    public Task<IReadOnlyList<InstanceTypeInfo>> OfferedInZoneAsync(CloudScope scope, string availabilityZone, CancellationToken cancellationToken = default) =>
        Task.FromResult(Known(scope) && SandboxCatalog.Zones(scope).Any(z => z.ZoneName == availabilityZone) ? SandboxCatalog.Offered(availabilityZone) : []);

    public Task<int?> MaxInstancesAsync(CloudScope scope, CancellationToken cancellationToken = default) =>
        Task.FromResult<int?>(Known(scope) ? _options.MaxInstancesPerRegion : null);

    public Task<IReadOnlyList<ImageDetails>> SearchAsync(CloudScope scope, string? nameContains, string? owner, CancellationToken cancellationToken = default)
    {
        var text = nameContains?.Trim();
        var found = AllImages(scope)
            .Where(i => string.IsNullOrEmpty(text) || i.Name.Contains(text, StringComparison.OrdinalIgnoreCase) || (i.Description?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false))
            .Where(i => OwnedBy(i, scope, owner))
            .OrderByDescending(i => i.CreationDate)
            .Take(100)
            .ToList();
        return Task.FromResult<IReadOnlyList<ImageDetails>>(found);
    }

    public Task<ImageDetails?> FindAsync(CloudScope scope, string imageId, CancellationToken cancellationToken = default) =>
        Task.FromResult(AllImages(scope).FirstOrDefault(i => i.ImageId == imageId));

    public Task<IReadOnlyList<ImageDetails>> LatestAsync(CloudScope scope, CancellationToken cancellationToken = default) =>
        Task.FromResult(Known(scope) ? SandboxCatalog.Latest(scope) : []);

    // ---- IInstanceAttributes ----

    public Task<InstanceAttributes?> GetAsync(InstanceRef instance, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_instances.TryGetValue(instance, out var i))
            {
                return Task.FromResult<InstanceAttributes?>(null);
            }

            var protection = _protection.GetValueOrDefault(instance);
            IReadOnlyList<StatusCheck> checks = i.State switch
            {
                InstanceState.Running => [new("System reachability", "passed"), new("Instance reachability", "passed")],
                InstanceState.Pending => [new("System reachability", "initializing"), new("Instance reachability", "initializing")],
                _ => [],
            };
            return Task.FromResult<InstanceAttributes?>(new InstanceAttributes(protection.Termination, protection.Stop, i.ImdsV2Required, i.HibernationConfigured, checks));
        }
    }

    public Task<string?> SetProtectionAsync(InstanceRef instance, bool? termination, bool? stop, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_instances.ContainsKey(instance))
            {
                throw NotFound(instance);
            }

            var current = _protection.GetValueOrDefault(instance);
            _protection[instance] = (termination ?? current.Termination, stop ?? current.Stop);
        }

        _events.Publish(instance);
        return Task.FromResult<string?>(RequestId());
    }

    public Task<string?> SetTagsAsync(InstanceRef instance, IReadOnlyDictionary<string, string> set, IReadOnlyCollection<string> remove, CancellationToken cancellationToken = default)
    {
        if (set.Keys.Concat(remove).FirstOrDefault(k => LaunchValidator.CheckTagKey(k) is not null) is { } bad)
        {
            throw new InvalidOperationException($"InvalidParameterValue: {LaunchValidator.CheckTagKey(bad)} ('{bad}')");
        }

        lock (_gate)
        {
            if (!_instances.TryGetValue(instance, out var i))
            {
                throw NotFound(instance);
            }

            var tags = new Dictionary<string, string>(i.Tags, StringComparer.Ordinal);
            foreach (var key in remove)
            {
                tags.Remove(key);
            }

            foreach (var (key, value) in set)
            {
                tags[key] = value;
            }

            _instances[instance] = i with { Tags = tags, Name = tags.GetValueOrDefault("Name") ?? string.Empty };
        }

        _events.Publish(instance);
        return Task.FromResult<string?>(RequestId());
    }

    // ---- IElasticIps, IVolumes ----

    public Task<IReadOnlyList<AddressInfo>> AddressesAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<AddressInfo>>(_addresses.Values.Where(a => a.Scope == scope).OrderBy(a => a.PublicIp, StringComparer.Ordinal).ToList());
        }
    }

    public Task<string?> ReleaseAsync(CloudScope scope, string allocationId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_addresses.TryGetValue(allocationId, out var address) && address.Scope == scope)
            {
                if (address.IsAssociated)
                {
                    throw new InvalidOperationException($"InvalidIPAddress.InUse: Address {address.PublicIp} is associated with {address.InstanceId}; disassociate it first.");
                }

                _addresses.Remove(allocationId);
            }
        }

        return Task.FromResult<string?>(RequestId());
    }

    public Task<string?> DeleteAsync(CloudScope scope, string volumeId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (AttachedVolume(scope, volumeId) is { } owner)
            {
                throw new InvalidOperationException($"VolumeInUse: Volume {volumeId} is attached to {owner.InstanceId}.");
            }

            _looseVolumes.Remove(volumeId);
        }

        return Task.FromResult<string?>(RequestId());
    }

    // ---- ISnapshots ----

    public Task<BackupResult> CreateSnapshotAsync(CloudScope scope, string volumeId, string description, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_requestTokens.TryGetValue("snap:" + idempotencyKey, out var earlier))
            {
                return Task.FromResult(new BackupResult(earlier, null));
            }

            (int SizeGiB, string Name)? volume = null;
            if (AttachedVolume(scope, volumeId) is { } owner)
            {
                volume = (owner.Volumes.First(v => v.VolumeId == volumeId).SizeGiB, owner.Name);
            }
            else if (_looseVolumes.TryGetValue(volumeId, out var loose) && loose.Scope == scope)
            {
                volume = (loose.SizeGiB, loose.Tags.GetValueOrDefault("Name") ?? string.Empty);
            }

            if (volume is not { } found)
            {
                throw new InvalidOperationException($"InvalidVolume.NotFound: The volume '{volumeId}' does not exist.");
            }

            var id = NewId("snap");
            _snapshots[id] = new SnapshotInfo(scope, id, volumeId, found.SizeGiB, "completed", _clock.GetUtcNow(), description,
                new Dictionary<string, string> { ["Name"] = found.Name });
            _requestTokens["snap:" + idempotencyKey] = id;
            return Task.FromResult(new BackupResult(id, RequestId()));
        }
    }

    public Task<BackupResult> DeleteSnapshotAsync(CloudScope scope, string snapshotId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _snapshots.Remove(snapshotId);
        }

        return Task.FromResult(new BackupResult(snapshotId, RequestId()));
    }

    public Task<BackupResult> CreateImageAsync(InstanceRef instance, string name, bool reboot, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_requestTokens.TryGetValue("image:" + idempotencyKey, out var earlier))
            {
                return Task.FromResult(new BackupResult(earlier, null));
            }

            if (!_instances.TryGetValue(instance, out var i))
            {
                throw NotFound(instance);
            }

            var scope = new CloudScope(instance.AccountId, instance.Region);
            var root = i.Volumes.FirstOrDefault();
            var id = NewId("ami");
            _ownImages[id] = new ImageDetails(scope, id, name, scope.AccountId, null, "x86_64", i.Platform, root?.DeviceName ?? "/dev/xvda", root?.SizeGiB ?? 8, _clock.GetUtcNow(), $"Image of {i.Name} ({i.InstanceId})");
            _requestTokens["image:" + idempotencyKey] = id;
            return Task.FromResult(new BackupResult(id, RequestId()));
        }
    }

    public Task<BackupResult> DeregisterImageAsync(CloudScope scope, string imageId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _ownImages.Remove(imageId);
        }

        return Task.FromResult(new BackupResult(imageId, RequestId()));
    }

    // ---- helpers ----

    private bool Known(CloudScope scope) => scope.AccountId == SandboxFleet.AccountId && SandboxFleet.Regions.Contains(scope.Region);

    private IEnumerable<ImageDetails> AllImages(CloudScope scope)
    {
        if (!Known(scope))
        {
            return [];
        }

        lock (_gate)
        {
            return SandboxCatalog.Images(scope).Concat(_ownImages.Values.Where(i => i.Scope == scope)).ToList();
        }
    }

    private static bool OwnedBy(ImageDetails image, CloudScope scope, string? owner) => owner?.Trim() switch
    {
        null or "" or "*" => true,
        "self" => image.OwnerId == scope.AccountId,
        var o => string.Equals(image.OwnerAlias, o, StringComparison.OrdinalIgnoreCase) || image.OwnerId == o
            || (string.Equals(o, "canonical", StringComparison.OrdinalIgnoreCase) && image.OwnerId == SandboxCatalog.CanonicalOwner),
    };

    // Under the lock.
    private Instance? AttachedVolume(CloudScope scope, string volumeId) =>
        _instances.Values.FirstOrDefault(i => i.AccountId == scope.AccountId && i.Region == scope.Region
            && i.State is not (InstanceState.ShuttingDown or InstanceState.Terminated) && i.Volumes.Any(v => v.VolumeId == volumeId));

    // Under the lock: as EC2 does, the root volume goes with the instance, other volumes stay behind, Elastic IPs come loose.
    private void ReleaseOnTermination(Instance instance)
    {
        var scope = new CloudScope(instance.AccountId, instance.Region);
        foreach (var volume in instance.Volumes.Skip(1))
        {
            _looseVolumes[volume.VolumeId] = new VolumeInfo(scope, volume.VolumeId, volume.SizeGiB, volume.VolumeType, "available", volume.Encrypted, instance.AvailabilityZone, null,
                new Dictionary<string, string> { ["Name"] = $"{instance.Name} {volume.DeviceName}", ["portalops:left-by"] = instance.InstanceId });
        }

        foreach (var address in _addresses.Values.Where(a => a.InstanceId == instance.InstanceId).ToList())
        {
            _addresses[address.AllocationId] = address with { AssociationId = null, InstanceId = null };
        }

        _protection.Remove(instance.Ref);
    }

    // A few leftovers to find on the first visit: volumes of long-gone instances and idle Elastic IPs, plus addresses in use.
    private void SeedLeftovers()
    {
        foreach (var region in SandboxFleet.Regions)
        {
            var scope = new CloudScope(SandboxFleet.AccountId, region);
            var net = region == SandboxFleet.Regions[0] ? 10 : 20;
            (string Name, int Size, string Type, bool Encrypted)[] volumes = [("prod-db-07 /dev/sdf", 200, "io2", true), ("", 8, "gp2", false), ("scratch-build-cache", 100, "gp3", true)];
            foreach (var (name, size, type, encrypted) in volumes)
            {
                var id = NewId("vol");
                _looseVolumes[id] = new VolumeInfo(scope, id, size, type, "available", encrypted, region + "b", null,
                    name.Length == 0 ? NoTags : new Dictionary<string, string> { ["Name"] = name });
            }

            // Snapshots nobody cleaned up: one from a migration long done (beyond any retention), one recent.
            foreach (var (name, size, days) in new[] { ("pre-migration-2025", 120, 200), ("before-upgrade", 40, 3) })
            {
                var snap = NewId("snap");
                _snapshots[snap] = new SnapshotInfo(scope, snap, NewId("vol"), size, "completed", _clock.GetUtcNow().AddDays(-days), $"Manual snapshot {name}",
                    new Dictionary<string, string> { ["Name"] = name });
            }

            for (var n = 0; n < 2; n++)
            {
                var id = NewId("eipalloc");
                _addresses[id] = new AddressInfo(scope, id, $"198.51.100.{net + n}", null, null, n == 0 ? new Dictionary<string, string> { ["Name"] = "old-nat" } : NoTags);
            }

            foreach (var web in _instances.Values.Where(i => i.Region == region && i.PublicIp is not null && i.State == InstanceState.Running).Take(2))
            {
                var id = NewId("eipalloc");
                _addresses[id] = new AddressInfo(scope, id, web.PublicIp!, NewId("eipassoc"), web.InstanceId, new Dictionary<string, string> { ["Name"] = web.Name });
            }
        }
    }

    private string NewId(string prefix)
    {
        lock (_ids)
        {
            return $"{prefix}-0{_ids.NextInt64(0x1000_0000_0000_0000, long.MaxValue):x16}";
        }
    }

    private static string RequestId() => $"sandbox-{Guid.NewGuid():N}";

    private static InvalidOperationException NotFound(InstanceRef instance) =>
        new($"InvalidInstanceID.NotFound: The instance ID '{instance.InstanceId}' does not exist");
}
