namespace PortalOps.Domain.Instances;

public enum InstanceState
{
    Pending,
    Running,
    Stopping,
    Stopped,
    ShuttingDown,
    Terminated,
}

/// <summary>Points at one instance: account, region and instance id.</summary>
public sealed record InstanceRef(string AccountId, string Region, string InstanceId)
{
    public override string ToString() => $"{AccountId}/{Region}/{InstanceId}";

    /// <summary>Parses the form written by <see cref="ToString"/>.</summary>
    public static bool TryParse(string? text, out InstanceRef? value)
    {
        value = null;
        var parts = text?.Split('/') ?? [];
        if (parts.Length != 3 || parts.Any(string.IsNullOrWhiteSpace))
        {
            return false;
        }

        value = new InstanceRef(parts[0], parts[1], parts[2]);
        return true;
    }
}

public sealed record Volume(string VolumeId, int SizeGiB, string VolumeType, bool Encrypted, string DeviceName);

/// <summary>An EC2 instance as PortalOps sees it.</summary>
public sealed record Instance(
    InstanceRef Ref,
    string Name,
    string InstanceType,
    InstanceState State,
    string AvailabilityZone,
    string Platform,
    DateTimeOffset LaunchTime,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<Volume> Volumes,
    string? PrivateIp = null,
    string? PublicIp = null)
{
    /// <summary>The image it was launched from.</summary>
    public string? ImageId { get; init; }

    public string? VpcId { get; init; }

    public string? SubnetId { get; init; }

    public IReadOnlyList<string> SecurityGroupIds { get; init; } = [];

    public string? KeyName { get; init; }

    /// <summary>True when the metadata service answers only session (IMDSv2) requests; null when unknown.</summary>
    public bool? ImdsV2Required { get; init; }

    /// <summary>Launched with hibernation enabled, so it can be hibernated instead of stopped.</summary>
    public bool HibernationConfigured { get; init; }

    public string InstanceId => Ref.InstanceId;

    public string AccountId => Ref.AccountId;

    public string Region => Ref.Region;
}
