using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Backups;

public enum RecoveryPointKind
{
    Snapshot,
    Image,
}

public enum RecoveryPointState
{
    Pending,
    Completed,
    Error,
}

/// <summary>
/// A snapshot or image PortalOps made under a policy (or its cross-region copy), as the cloud reports it. The tags say which policy,
/// rule, window and instance it belongs to; <see cref="VolumeId"/> is the source volume (for a copy, from its tag).
/// </summary>
public sealed record RecoveryPoint(
    CloudScope Scope,
    string Id,
    RecoveryPointKind Kind,
    RecoveryPointState State,
    DateTimeOffset CreatedAt,
    IReadOnlyDictionary<string, string> Tags,
    string? VolumeId = null,
    int SizeGiB = 0,
    string? Error = null)
{
    public string? PolicyId => Tags.GetValueOrDefault(BackupTags.Policy);

    public string? RuleName => Tags.GetValueOrDefault(BackupTags.Rule);

    public string? InstanceId => Tags.GetValueOrDefault(BackupTags.Instance);

    public string? Window => Tags.GetValueOrDefault(BackupTags.Window);

    public bool IsCopy => Tags.ContainsKey(BackupTags.Copy);

    public string? SourceId => Tags.GetValueOrDefault(BackupTags.Source);

    /// <summary>What retention counts in: one series per instance and volume (an image is its instance's one series).</summary>
    public string Series => $"{InstanceId}/{(Kind == RecoveryPointKind.Image ? "image" : VolumeId)}";

    public bool BelongsTo(Guid policyId, string ruleName) =>
        string.Equals(PolicyId, policyId.ToString("N"), StringComparison.Ordinal) && string.Equals(RuleName, ruleName, StringComparison.OrdinalIgnoreCase);
}
