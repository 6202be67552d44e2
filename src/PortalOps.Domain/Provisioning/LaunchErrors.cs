namespace PortalOps.Domain.Provisioning;

/// <summary>Turns a provider's launch error (EC2 codes, which the sandbox uses too) into plain words, and the wizard field it concerns.</summary>
public static class LaunchErrors
{
    /// <summary>The codes that mean "this launch, as asked, cannot happen" (not a passing fault worth retrying).</summary>
    public static bool IsRefusal(string? code) => code is
        "InvalidAMIID.NotFound" or "InvalidAMIID.Malformed" or "InvalidAMIID.Unavailable" or "InvalidKeyPair.NotFound" or "InvalidSubnetID.NotFound"
        or "InvalidGroup.NotFound" or "InvalidSecurityGroupID.NotFound" or "InstanceLimitExceeded" or "VcpuLimitExceeded" or "InvalidBlockDeviceMapping"
        or "Unsupported" or "InvalidParameterValue" or "InvalidParameterCombination" or "MissingParameter" or "UnsupportedHibernationConfiguration"
        or "InsufficientInstanceCapacity";

    public static (string? Field, string Text) Explain(string code, string providerMessage)
    {
        var m = providerMessage ?? string.Empty;
        return code switch
        {
            "InvalidAMIID.NotFound" or "InvalidAMIID.Malformed" or "InvalidAMIID.Unavailable" =>
                (LaunchFields.Image, "The image (AMI) does not exist in this region or is not available to this account. AMIs are regional: pick one from this region."),
            "InvalidKeyPair.NotFound" => (LaunchFields.KeyPair, "The key pair does not exist in this region; create or import it there first."),
            "InvalidSubnetID.NotFound" => (LaunchFields.Subnet, "The subnet does not exist in this region."),
            "InvalidGroup.NotFound" or "InvalidSecurityGroupID.NotFound" => (LaunchFields.SecurityGroups, "A security group does not exist in this region or VPC."),
            "InstanceLimitExceeded" or "VcpuLimitExceeded" or "MaxSpotInstanceCountExceeded" =>
                (LaunchFields.Count, "The account's instance limit in this region would be exceeded; launch fewer, or ask AWS for a higher quota."),
            "InvalidBlockDeviceMapping" => (LaunchFields.VolumeSize, "The root volume is not valid for this image (it may be smaller than the image's snapshot)."),
            "Unsupported" when m.Contains("availability zone", StringComparison.OrdinalIgnoreCase) || m.Contains("instance type", StringComparison.OrdinalIgnoreCase) =>
                (LaunchFields.InstanceType, "This instance type is not offered in the chosen availability zone."),
            "InvalidParameterValue" when m.Contains("volume size", StringComparison.OrdinalIgnoreCase) || m.Contains("snapshot", StringComparison.OrdinalIgnoreCase) =>
                (LaunchFields.VolumeSize, "The root volume is smaller than the image's snapshot."),
            "InvalidParameterValue" when m.Contains("instance type", StringComparison.OrdinalIgnoreCase) || m.Contains("InstanceType", StringComparison.Ordinal) =>
                (LaunchFields.InstanceType, "This instance type is not valid here."),
            "InvalidParameterValue" when m.Contains("tag", StringComparison.OrdinalIgnoreCase) => (LaunchFields.Tags, $"A tag is not valid: {m}"),
            "UnsupportedHibernationConfiguration" => (LaunchFields.Hibernation, "Hibernation is not supported with this type, image or volume."),
            "InsufficientInstanceCapacity" => (LaunchFields.Zone, "AWS has no capacity for this type in this availability zone right now; try another zone or type."),
            "UnauthorizedOperation" or "AccessDenied" => (null, "The portal's credentials may not launch instances here (ec2:RunInstances, and ec2:CreateTags on launch). See docs/aws.md."),
            _ => (null, m.Length > 0 ? m : code),
        };
    }
}
