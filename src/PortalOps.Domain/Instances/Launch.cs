namespace PortalOps.Domain.Instances;

/// <summary>The root volume of a new instance.</summary>
public sealed record RootVolumeSpec(int SizeGiB, string VolumeType = "gp3", bool Encrypted = true);

/// <summary>What to launch, where.</summary>
public sealed record LaunchRequest(
    string AccountId,
    string Region,
    string ImageId,
    string InstanceType,
    int Count = 1,
    string? Name = null,
    IReadOnlyDictionary<string, string>? Tags = null,
    string? SubnetId = null,
    IReadOnlyList<string>? SecurityGroupIds = null,
    string? KeyName = null)
{
    /// <summary>The availability zone; without a subnet the provider places the instances there.</summary>
    public string? AvailabilityZone { get; init; }

    /// <summary>Size, type and encryption of the root volume; null keeps the image's own.</summary>
    public RootVolumeSpec? RootVolume { get; init; }

    /// <summary>Require session tokens (IMDSv2) for the instance metadata service. On by default.</summary>
    public bool RequireImdsV2 { get; init; } = true;

    /// <summary>Launch with hibernation enabled (needs an encrypted root volume large enough for the memory).</summary>
    public bool Hibernation { get; init; }

    /// <summary>Turn termination protection on at launch.</summary>
    public bool TerminationProtection { get; init; }
}

/// <summary>The instances a launch made; <see cref="Replayed"/> when they came from an earlier call with the same key.</summary>
public sealed record LaunchResult(IReadOnlyList<InstanceRef> Instances, string? RequestId, bool Replayed);

/// <summary>The answer to a dry run: would the launch be allowed, and if not, why (in plain words) and the provider's code.</summary>
public sealed record LaunchCheck(bool Allowed, string Message, string? ErrorCode = null, string? RequestId = null);

/// <summary>Launches instances. The same idempotency key never launches twice.</summary>
public interface IInstanceLauncher
{
    Task<LaunchResult> LaunchAsync(LaunchRequest request, string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Asks the provider whether the launch would be allowed (EC2 <c>DryRun</c>), without launching anything.</summary>
    Task<LaunchCheck> DryRunAsync(LaunchRequest request, CancellationToken cancellationToken = default);
}

/// <summary>A launch the provider refused, with its error code and the reason in plain words (see <see cref="LaunchErrors"/>).</summary>
public sealed class LaunchRefusedException(string code, string message, string? requestId = null) : Exception(message)
{
    public string Code { get; } = code;

    public string? RequestId { get; } = requestId;
}
