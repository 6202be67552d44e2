namespace PortalOps.Domain.Instances;

/// <summary>One health check of an instance: "System reachability" or "Instance reachability", and its status.</summary>
public sealed record StatusCheck(string Name, string Status)
{
    public bool Passed => string.Equals(Status, "passed", StringComparison.OrdinalIgnoreCase) || string.Equals(Status, "ok", StringComparison.OrdinalIgnoreCase);
}

/// <summary>What an instance's settings are beyond the fleet listing: protections, metadata service mode, hibernation, health checks.</summary>
public sealed record InstanceAttributes(
    bool TerminationProtection,
    bool StopProtection,
    bool? ImdsV2Required,
    bool HibernationConfigured,
    IReadOnlyList<StatusCheck> StatusChecks);

/// <summary>Reads and changes one instance's attributes and tags. Each change is safe to repeat.</summary>
public interface IInstanceAttributes
{
    /// <summary>Null when the instance does not exist.</summary>
    Task<InstanceAttributes?> GetAsync(InstanceRef instance, CancellationToken cancellationToken = default);

    /// <summary>Turns termination and/or stop protection on or off (null leaves one as it is). Returns the provider's request id.</summary>
    Task<string?> SetProtectionAsync(InstanceRef instance, bool? termination, bool? stop, CancellationToken cancellationToken = default);

    /// <summary>Adds or overwrites <paramref name="set"/> and removes the keys in <paramref name="remove"/>. Returns the provider's request id.</summary>
    Task<string?> SetTagsAsync(InstanceRef instance, IReadOnlyDictionary<string, string> set, IReadOnlyCollection<string> remove, CancellationToken cancellationToken = default);
}
