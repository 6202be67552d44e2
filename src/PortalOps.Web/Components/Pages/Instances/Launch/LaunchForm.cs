using PortalOps.Domain.Provisioning;

namespace PortalOps.Web.Components.Pages.Instances.Launch;

/// <summary>One extra tag row of the wizard.</summary>
public sealed class TagRow
{
    public string Key { get; set; } = string.Empty;

    public string Value { get; set; } = string.Empty;
}

/// <summary>The wizard's editable state: what the person has chosen so far. <see cref="ToSpec"/> is what gets checked and launched.</summary>
public sealed class LaunchForm
{
    public string AccountId { get; set; } = string.Empty;

    public string Region { get; set; } = string.Empty;

    public string AvailabilityZone { get; set; } = string.Empty;

    public string InstanceType { get; set; } = string.Empty;

    public string ImageId { get; set; } = string.Empty;

    public string? SubnetId { get; set; }

    public IReadOnlyCollection<string> SecurityGroupIds { get; set; } = [];

    public string? KeyName { get; set; }

    public int VolumeSizeGiB { get; set; } = 8;

    public string VolumeType { get; set; } = "gp3";

    public bool Encrypted { get; set; } = true;

    public bool RequireImdsV2 { get; set; } = true;

    public bool Hibernation { get; set; }

    public bool TerminationProtection { get; set; }

    public string? Name { get; set; }

    /// <summary>Values of the tags governance requires, by key.</summary>
    public Dictionary<string, string> RequiredTags { get; } = new(StringComparer.Ordinal);

    public List<TagRow> ExtraTags { get; } = [];

    public int Count { get; set; } = 1;

    public LaunchSpec ToSpec()
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in ExtraTags.Where(r => r.Key.Length > 0 || r.Value.Length > 0))
        {
            tags[row.Key] = row.Value;
        }

        foreach (var (key, value) in RequiredTags)
        {
            tags[key] = value.Trim();
        }

        return new LaunchSpec
        {
            AccountId = AccountId,
            Region = Region,
            AvailabilityZone = AvailabilityZone,
            InstanceType = InstanceType,
            ImageId = ImageId.Trim(),
            SubnetId = string.IsNullOrWhiteSpace(SubnetId) ? null : SubnetId,
            SecurityGroupIds = SecurityGroupIds.ToList(),
            KeyName = string.IsNullOrWhiteSpace(KeyName) ? null : KeyName,
            VolumeSizeGiB = VolumeSizeGiB,
            VolumeType = VolumeType,
            Encrypted = Encrypted,
            RequireImdsV2 = RequireImdsV2,
            Hibernation = Hibernation,
            TerminationProtection = TerminationProtection,
            Name = string.IsNullOrWhiteSpace(Name) ? null : Name.Trim(),
            Tags = tags,
            Count = Count,
        };
    }

    public static LaunchForm From(LaunchSpec spec, IReadOnlyList<string> requiredTags)
    {
        var form = new LaunchForm
        {
            AccountId = spec.AccountId, Region = spec.Region, AvailabilityZone = spec.AvailabilityZone, InstanceType = spec.InstanceType, ImageId = spec.ImageId,
            SubnetId = spec.SubnetId, SecurityGroupIds = spec.SecurityGroupIds.ToList(), KeyName = spec.KeyName, VolumeSizeGiB = spec.VolumeSizeGiB,
            VolumeType = spec.VolumeType, Encrypted = spec.Encrypted, RequireImdsV2 = spec.RequireImdsV2, Hibernation = spec.Hibernation,
            TerminationProtection = spec.TerminationProtection, Name = spec.Name, Count = spec.Count,
        };
        form.FillTags(spec.Tags, requiredTags);
        return form;
    }

    /// <summary>Puts tags into the form: required ones into their fields, the rest as extra rows; required fields left without a value stay empty.</summary>
    internal void FillTags(IEnumerable<KeyValuePair<string, string>> tags, IReadOnlyList<string> requiredTags)
    {
        foreach (var (key, value) in tags)
        {
            if (requiredTags.Contains(key))
            {
                RequiredTags[key] = value;
            }
            else
            {
                ExtraTags.Add(new TagRow { Key = key, Value = value });
            }
        }

        foreach (var key in requiredTags.Where(k => k != "Name"))
        {
            RequiredTags.TryAdd(key, string.Empty);
        }
    }
}
