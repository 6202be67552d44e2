using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;

namespace PortalOps.Jobs.Sandbox;

// Launching: the same checks EC2 makes (with its error codes), instances that start pending and run after Sandbox:PendingSeconds,
// and one launch per idempotency key, like a RunInstances ClientToken.
public sealed partial class SandboxCloud
{
    private readonly Dictionary<string, LaunchResult> _launches = new(StringComparer.Ordinal);

    public Task<LaunchResult> LaunchAsync(LaunchRequest request, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        var made = new List<InstanceRef>();
        LaunchResult result;
        lock (_gate)
        {
            if (_launches.TryGetValue(idempotencyKey, out var earlier))
            {
                return Task.FromResult(earlier with { Replayed = true });
            }

            if (Check(request) is { } problem)
            {
                throw new LaunchRefusedException(problem.Code, $"{LaunchErrors.Explain(problem.Code, problem.Message).Text} [{problem.Code}: {problem.Message}]");
            }

            var scope = new CloudScope(request.AccountId, request.Region);
            var image = AllImagesLocked(scope).First(i => i.ImageId == request.ImageId);
            var subnet = request.SubnetId is null ? null : SandboxCatalog.Subnets(scope).First(s => s.SubnetId == request.SubnetId);
            var zone = subnet?.AvailabilityZone ?? request.AvailabilityZone ?? scope.Region + "a";
            var vpc = subnet?.VpcId ?? SandboxCatalog.VpcId(scope.Region);
            var root = request.RootVolume ?? new RootVolumeSpec(image.RootSnapshotSizeGiB);
            var tags = new Dictionary<string, string>(request.Tags ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            if (!string.IsNullOrWhiteSpace(request.Name))
            {
                tags["Name"] = request.Name;
            }

            var groups = request.SecurityGroupIds is { Count: > 0 } ids ? ids.ToList() : [SandboxCatalog.SecurityGroups(scope).First(g => g.Name == "default").GroupId];
            var now = _clock.GetUtcNow();
            for (var n = 0; n < request.Count; n++)
            {
                var id = $"i-0{NewId("x")[3..]}";
                var instance = new Instance(
                    new InstanceRef(request.AccountId, request.Region, id),
                    tags.GetValueOrDefault("Name") ?? string.Empty,
                    request.InstanceType,
                    InstanceState.Pending,
                    zone,
                    image.Platform,
                    now,
                    tags,
                    [new Volume(NewId("vol"), root.SizeGiB, root.VolumeType, root.Encrypted, image.RootDeviceName)],
                    PrivateIp(subnet, n),
                    subnet?.PublicIpOnLaunch == true ? $"203.0.113.{_ids.Next(1, 254)}" : null)
                {
                    ImageId = image.ImageId,
                    VpcId = vpc,
                    SubnetId = subnet?.SubnetId,
                    SecurityGroupIds = groups,
                    KeyName = request.KeyName,
                    ImdsV2Required = request.RequireImdsV2,
                    HibernationConfigured = request.Hibernation,
                };
                _instances[instance.Ref] = instance;
                if (request.TerminationProtection)
                {
                    _protection[instance.Ref] = (true, false);
                }

                Schedule(instance.Ref, InstanceState.Pending, InstanceState.Running, _options.PendingSeconds);
                made.Add(instance.Ref);
            }

            result = new LaunchResult(made, RequestId(), Replayed: false);
            _launches[idempotencyKey] = result;
        }

        foreach (var r in made)
        {
            _events.Publish(r);
        }

        return Task.FromResult(result);
    }

    public Task<LaunchCheck> DryRunAsync(LaunchRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(Check(request) is { } problem
                ? new LaunchCheck(false, LaunchErrors.Explain(problem.Code, problem.Message).Text, problem.Code, RequestId())
                : new LaunchCheck(true, "Request would have succeeded (DryRunOperation): the launch is allowed.", "DryRunOperation", RequestId()));
        }
    }

    // Under the lock. EC2's own checks, in its words; null when the launch would succeed.
    private (string Code, string Message)? Check(LaunchRequest request)
    {
        var scope = new CloudScope(request.AccountId, request.Region);
        if (!Known(scope))
        {
            return ("UnauthorizedOperation", $"You are not authorized to perform this operation in {request.AccountId}/{request.Region}.");
        }

        var image = AllImagesLocked(scope).FirstOrDefault(i => i.ImageId == request.ImageId);
        if (image is null)
        {
            return ("InvalidAMIID.NotFound", $"The image id '[{request.ImageId}]' does not exist");
        }

        var subnet = request.SubnetId is null ? null : SandboxCatalog.Subnets(scope).FirstOrDefault(s => s.SubnetId == request.SubnetId);
        if (request.SubnetId is not null && subnet is null)
        {
            return ("InvalidSubnetID.NotFound", $"The subnet ID '{request.SubnetId}' does not exist");
        }

        var zone = subnet?.AvailabilityZone ?? request.AvailabilityZone ?? scope.Region + "a";
        if (request.AvailabilityZone is { Length: > 0 } asked && subnet is not null && asked != subnet.AvailabilityZone)
        {
            return ("InvalidParameterValue", $"The subnet {subnet.SubnetId} is in {subnet.AvailabilityZone}, not in the requested availability zone {asked}.");
        }

        var type = SandboxCatalog.Types.FirstOrDefault(t => t.InstanceType == request.InstanceType);
        if (type is null)
        {
            return ("InvalidParameterValue", $"Invalid value '{request.InstanceType}' for InstanceType.");
        }

        if (SandboxCatalog.Offered(zone).All(t => t.InstanceType != request.InstanceType))
        {
            return ("Unsupported", $"Your requested instance type ({request.InstanceType}) is not supported in your requested Availability Zone ({zone}).");
        }

        if (type.Architecture != image.Architecture)
        {
            return ("InvalidParameterValue", $"The architecture '{type.Architecture}' of the specified instance type does not match the architecture '{image.Architecture}' of the specified AMI.");
        }

        if (request.KeyName is { Length: > 0 } key && SandboxCatalog.KeyPairs(scope).All(k => k.KeyName != key))
        {
            return ("InvalidKeyPair.NotFound", $"The key pair '{key}' does not exist");
        }

        var groups = SandboxCatalog.SecurityGroups(scope);
        if (request.SecurityGroupIds?.FirstOrDefault(g => groups.All(x => x.GroupId != g)) is { } missingGroup)
        {
            return ("InvalidGroup.NotFound", $"The security group '{missingGroup}' does not exist");
        }

        if (request.RootVolume is { } root && root.SizeGiB < image.RootSnapshotSizeGiB)
        {
            return ("InvalidBlockDeviceMapping", $"Volume of size {root.SizeGiB}GB is smaller than snapshot, expect size >= {image.RootSnapshotSizeGiB}GB");
        }

        if (request.Hibernation && !type.HibernationSupported)
        {
            return ("UnsupportedHibernationConfiguration", $"Hibernation is not supported for the instance type {type.InstanceType}.");
        }

        if (request.Count < 1)
        {
            return ("InvalidParameterValue", "MinCount and MaxCount must be at least 1.");
        }

        var live = _instances.Values.Count(i => i.AccountId == scope.AccountId && i.Region == scope.Region && i.State != InstanceState.Terminated);
        if (live + request.Count > _options.MaxInstancesPerRegion)
        {
            return ("InstanceLimitExceeded", $"You have requested more instances ({live + request.Count}) than your current instance limit of {_options.MaxInstancesPerRegion} allows.");
        }

        return null;
    }

    private IEnumerable<ImageDetails> AllImagesLocked(CloudScope scope) =>
        SandboxCatalog.Images(scope).Concat(_ownImages.Values.Where(i => i.Scope == scope));

    private string PrivateIp(SubnetInfo? subnet, int n)
    {
        var prefix = subnet?.CidrBlock.Split('.') is [var a, var b, var c, _] ? $"{a}.{b}.{c}" : "10.0.0";
        return $"{prefix}.{_ids.Next(4, 250) + n % 3}";
    }
}
