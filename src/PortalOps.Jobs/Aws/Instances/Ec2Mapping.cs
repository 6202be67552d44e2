using Amazon.EC2;
using PortalOps.Domain.Instances;
using Ec2Instance = Amazon.EC2.Model.Instance;
using Ec2Tag = Amazon.EC2.Model.Tag;

namespace PortalOps.Jobs.Aws.Instances;

/// <summary>Turns SDK shapes into domain records (and back), without extra calls.</summary>
internal static class Ec2Mapping
{
    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

    public static Instance ToInstance(Ec2Instance i, string accountId, string region)
    {
        var tags = Tags(i.Tags);
        var volumes = i.BlockDeviceMappings is { Count: > 0 } bdm
            ? bdm.Where(b => b.Ebs is not null).Select(b => new Domain.Instances.Volume(b.Ebs.VolumeId, 0, "", false, b.DeviceName)).ToList()
            : (IReadOnlyList<Domain.Instances.Volume>)[];
        return new Instance(
            new InstanceRef(accountId, region, i.InstanceId),
            tags.TryGetValue("Name", out var name) ? name : "",
            i.InstanceType?.Value ?? "",
            State(i.State?.Name),
            i.Placement?.AvailabilityZone ?? "",
            i.PlatformDetails ?? (i.Platform?.Value is { Length: > 0 } p ? p : "Linux/UNIX"),
            i.LaunchTime is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : DateTimeOffset.UnixEpoch,
            tags,
            volumes,
            string.IsNullOrEmpty(i.PrivateIpAddress) ? null : i.PrivateIpAddress,
            string.IsNullOrEmpty(i.PublicIpAddress) ? null : i.PublicIpAddress)
        {
            ImageId = i.ImageId,
            VpcId = string.IsNullOrEmpty(i.VpcId) ? null : i.VpcId,
            SubnetId = string.IsNullOrEmpty(i.SubnetId) ? null : i.SubnetId,
            SecurityGroupIds = (i.SecurityGroups ?? []).Select(g => g.GroupId).ToList(),
            KeyName = string.IsNullOrEmpty(i.KeyName) ? null : i.KeyName,
            ImdsV2Required = i.MetadataOptions?.HttpTokens?.Value is { } tokens ? tokens == "required" : null,
            HibernationConfigured = i.HibernationOptions?.Configured ?? false,
        };
    }

    public static IReadOnlyDictionary<string, string> Tags(List<Ec2Tag>? tags)
    {
        if (tags is null || tags.Count == 0)
        {
            return NoTags;
        }

        var d = new Dictionary<string, string>(tags.Count, StringComparer.Ordinal);
        foreach (var t in tags)
        {
            d[t.Key] = t.Value ?? "";
        }

        return d;
    }

    public static InstanceState State(InstanceStateName? name) => State(name?.Value);

    public static InstanceState State(string? name) => name switch
    {
        "pending" => InstanceState.Pending,
        "running" => InstanceState.Running,
        "stopping" => InstanceState.Stopping,
        "stopped" => InstanceState.Stopped,
        "shutting-down" => InstanceState.ShuttingDown,
        "terminated" => InstanceState.Terminated,
        _ => InstanceState.Pending,
    };
}
