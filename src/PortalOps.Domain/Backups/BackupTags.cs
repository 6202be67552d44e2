namespace PortalOps.Domain.Backups;

/// <summary>
/// The tags PortalOps puts on every snapshot and image it makes for a policy. Pruning only ever touches resources that carry
/// <see cref="Policy"/> with the policy's id, so nothing made by hand or by another tool is deleted.
/// </summary>
public static class BackupTags
{
    public const string Policy = "portalops:backup-policy";
    public const string Rule = "portalops:backup-rule";
    public const string Window = "portalops:backup-window";
    public const string Instance = "portalops:backup-instance";

    /// <summary>On a copy: the source volume (the copy's own volume id is not the source's).</summary>
    public const string Volume = "portalops:backup-volume";

    /// <summary>On a copy: the snapshot or image it was copied from.</summary>
    public const string Source = "portalops:backup-source";

    /// <summary>Present (value "copy") on cross-region copies.</summary>
    public const string Copy = "portalops:backup-copy";

    /// <summary>The window start as it appears in tags and keys: UTC, to the second.</summary>
    public static string WindowText(DateTimeOffset windowStart) => windowStart.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The tags of a source recovery point.</summary>
    public static Dictionary<string, string> For(BackupWindow window, string instanceId) => new(StringComparer.Ordinal)
    {
        [Policy] = window.PolicyId.ToString("N"),
        [Rule] = window.RuleName,
        [Window] = WindowText(window.Start),
        [Instance] = instanceId,
    };

    /// <summary>Whether a tag is one of ours (copying an instance's tags never copies these).</summary>
    public static bool IsOurs(string key) => key.StartsWith("portalops:", StringComparison.Ordinal) || key.StartsWith("aws:", StringComparison.Ordinal);
}
