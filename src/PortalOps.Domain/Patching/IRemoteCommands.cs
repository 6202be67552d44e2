using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Patching;

public sealed record CommandInvocation(string InstanceId, string Status, string? Output, int? ResponseCode);

public sealed record ManagedInstance(string InstanceId, string PingStatus, string? PlatformName, string? AgentVersion, DateTimeOffset? LastPing);

public sealed record PatchState(string InstanceId, string BaselineId, int Installed, int Missing, int Failed, int InstalledPendingReboot, string Operation, DateTimeOffset? OperationEndTime)
{
    public string? PatchGroup { get; init; }

    public int CriticalNonCompliant { get; init; }

    public int SecurityNonCompliant { get; init; }

    public int OtherNonCompliant { get; init; }
}

/// <summary>Runs commands on instances through the provider's agent and reads patch compliance.</summary>
public interface IRemoteCommands
{
    /// <summary>Sends a command document to instances of one account and region; returns the command id.</summary>
    Task<(string CommandId, string? RequestId)> SendAsync(CloudScope scope, IReadOnlyList<string> instanceIds, string documentName, IReadOnlyDictionary<string, IReadOnlyList<string>> parameters, string comment, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<CommandInvocation>> InvocationsAsync(CloudScope scope, string commandId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ManagedInstance>> ManagedInstancesAsync(CloudScope scope, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PatchState>> PatchStatesAsync(CloudScope scope, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken = default);
}
