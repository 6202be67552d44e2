namespace PortalOps.Domain.Instances;

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
    string? KeyName = null);

/// <summary>The instances a launch made; <see cref="Replayed"/> when they came from an earlier call with the same key.</summary>
public sealed record LaunchResult(IReadOnlyList<InstanceRef> Instances, string? RequestId, bool Replayed);

/// <summary>Launches instances. The same idempotency key never launches twice.</summary>
public interface IInstanceLauncher
{
    Task<LaunchResult> LaunchAsync(LaunchRequest request, string idempotencyKey, CancellationToken cancellationToken = default);
}
