using System.Globalization;
using System.Text.Json;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;

namespace PortalOps.Domain.Backups;

/// <summary>
/// An instance restored from a backup image with the launch wizard's choices. The request's target is the image (account, region, ami-…),
/// which is also where the instance goes; the parameters are a launch's (<see cref="LaunchParameters"/>) plus the new instance's tags, so a
/// restore waiting for approval keeps every detail. The image and a count of one are fixed here, whatever the parameters say, and every
/// restored instance carries <see cref="RestoredFromTag"/>.
/// </summary>
public static class RestoreLaunch
{
    /// <summary>The tag every restored instance carries: the image it came from.</summary>
    public const string RestoredFromTag = "portalops:restored-from";

    /// <summary>The new instance's tags (the Name tag apart), as JSON.</summary>
    public const string TagsParameter = "launchTags";

    /// <summary>Whether a restore request carries a launch (rather than the older image-type-subnet form).</summary>
    public static bool Carries(IReadOnlyDictionary<string, string> parameters) => parameters.ContainsKey(TagsParameter);

    public static IReadOnlyDictionary<string, string> Parameters(LaunchSpec spec)
    {
        var p = new Dictionary<string, string>(LaunchParameters.From(spec with { Count = 1 }), StringComparer.Ordinal);
        var tags = spec.Tags.Where(t => t.Key != "Name" && t.Key != RestoredFromTag).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        p[TagsParameter] = JsonSerializer.Serialize(tags, BackupActions.Json);
        return p;
    }

    /// <summary>The launch a restore makes: the image is the target's, the count one, the tags the request's plus <see cref="RestoredFromTag"/>.</summary>
    public static LaunchSpec ToSpec(InstanceRef image, IReadOnlyDictionary<string, string> parameters)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var (key, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(parameters.GetValueOrDefault(TagsParameter) ?? "{}", BackupActions.Json) ?? [])
            {
                tags[key] = value;
            }
        }
        catch (JsonException)
        {
            // Unreadable tags are no tags; the launch's own checks still apply.
        }

        tags[RestoredFromTag] = image.InstanceId;
        var placement = new ResolvedTarget(new InstanceRef(image.AccountId, image.Region, ResolvedTarget.NewInstancesId), "restored instance", tags);
        return LaunchParameters.ToSpec(placement, parameters) with { ImageId = image.InstanceId, Count = 1 };
    }

    /// <summary>The tags the restored instance will carry (Name included): what the destination is authorized on, as for a launch.</summary>
    public static IReadOnlyDictionary<string, string> DestinationTags(InstanceRef image, IReadOnlyDictionary<string, string> parameters) => ToSpec(image, parameters).AllTags();

    /// <summary>
    /// Why this recovery point cannot be restored as an instance, or null when it can: it must exist, be an image (AMI) that a PortalOps
    /// backup policy made (it carries the policy tag), and be available.
    /// </summary>
    public static string? Problem(RecoveryPoint? point, InstanceRef asked) => point switch
    {
        null => $"Recovery point {asked.InstanceId} was not found in {asked.AccountId}/{asked.Region}.",
        { Kind: not RecoveryPointKind.Image } => $"{point.Id} is a snapshot; an instance is restored from a backup image (AMI). Restore a volume from it instead.",
        { PolicyId: null } => $"Image {point.Id} was not made by a PortalOps backup policy (it has no {BackupTags.Policy} tag); launch from it in the launch wizard instead.",
        { State: RecoveryPointState.Pending } => $"Image {point.Id} is still being made; it can be restored once it is available.",
        { State: RecoveryPointState.Error } => $"Image {point.Id} failed{(point.Error is { Length: > 0 } e ? $" ({e})" : string.Empty)}; restore from another recovery point.",
        _ => null,
    };

    /// <summary>"Restore an instance from ami-… : t3.small named web-restored in 123456789012/eu-west-1a, subnet …, groups …, key …, root 20 GiB gp3 encrypted; tags …".</summary>
    public static string Describe(InstanceRef image, IReadOnlyDictionary<string, string> parameters)
    {
        var spec = ToSpec(image, parameters);
        var parts = new List<string> { $"{spec.InstanceType} in {image.AccountId}/{(spec.AvailabilityZone.Length > 0 ? spec.AvailabilityZone : image.Region)}" };
        if (spec.SubnetId is { } subnet)
        {
            parts.Add($"subnet {subnet}");
        }

        if (spec.SecurityGroupIds.Count > 0)
        {
            parts.Add($"groups {string.Join(", ", spec.SecurityGroupIds)}");
        }

        parts.Add(spec.KeyName is { } key ? $"key {key}" : "no key pair");
        parts.Add($"root {spec.VolumeSizeGiB.ToString(CultureInfo.InvariantCulture)} GiB {spec.VolumeType}{(spec.Encrypted ? " encrypted" : string.Empty)}");
        var tags = spec.AllTags().Where(t => t.Key != "Name").Select(t => $"{t.Key}={t.Value}").ToList();
        return $"Restore an instance from {image.InstanceId}{(spec.Name is { } name ? $" named {name}" : string.Empty)}: {string.Join(", ", parts)}"
            + (tags.Count > 0 ? $"; tags {string.Join(", ", tags)}" : string.Empty);
    }
}
