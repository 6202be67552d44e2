namespace PortalOps.Domain.Backups;

/// <summary>What a policy makes: crash-consistent EBS snapshots of an instance's volumes (one multi-volume call), or an AMI.</summary>
public enum BackupKind
{
    /// <summary>EC2 CreateSnapshots: every (or the chosen) EBS volume of the instance at the same moment.</summary>
    Snapshots,

    /// <summary>EC2 CreateImage: an AMI of the whole instance, with or without a reboot.</summary>
    Image,
}
