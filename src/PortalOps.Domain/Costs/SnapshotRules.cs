using System.Globalization;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Costs;

/// <summary>
/// Snapshots kept beyond the backup policy's retention. A snapshot a policy made (its <c>portalops:backup-policy</c> and
/// <c>-rule</c> tags) is old when it is beyond that rule's retention — older than its keep-days, or not among the newest
/// keep-count of its volume (retention keeps the newest keep-count and none older than keep-days) — or when its policy no longer exists or is disabled and it is older than
/// <see cref="SnapshotSettings.UnmanagedMaxAgeDays"/>. Any other snapshot is old when it is older than the longest retention
/// of the policies of its account and region (or than <see cref="SnapshotSettings.UnmanagedMaxAgeDays"/> where no policy
/// covers it). Snapshots an image is made of, and ones not completed, are never proposed. Pure.
/// </summary>
public static class SnapshotRules
{
    /// <summary>Standard snapshot storage, USD per GiB-month (an upper bound: snapshots are incremental).</summary>
    public const decimal PerGiBMonth = 0.05m;

    public static IEnumerable<Recommendation> Evaluate(
        IReadOnlyList<SnapshotInfo> snapshots,
        IReadOnlyList<BackupPolicy> policies,
        IReadOnlySet<string> behindImages,
        DateTimeOffset now,
        SnapshotSettings settings)
    {
        var byId = policies.ToDictionary(p => p.Id.ToString(), p => p, StringComparer.OrdinalIgnoreCase);
        // Newest first per policy, rule and volume: what keep-count keeps.
        var ranks = snapshots
            .Where(s => s.Tags.ContainsKey(BackupTags.Policy))
            .GroupBy(s => (Policy: s.Tags[BackupTags.Policy], Rule: s.Tags.GetValueOrDefault(BackupTags.Rule) ?? string.Empty, s.VolumeId))
            .SelectMany(g => g.OrderByDescending(s => s.StartTime).Select((s, i) => (s.SnapshotId, Rank: i)))
            .ToDictionary(x => x.SnapshotId, x => x.Rank, StringComparer.Ordinal);

        foreach (var s in snapshots)
        {
            if (s.StartTime is not { } started || !string.Equals(s.State, "completed", StringComparison.OrdinalIgnoreCase) || behindImages.Contains(s.SnapshotId))
            {
                continue;
            }

            var age = now - started;
            var reason = Reason(s, age, byId, ranks, policies, settings);
            if (reason is null)
            {
                continue;
            }

            var monthly = decimal.Round(PerGiBMonth * s.SizeGiB, 2);
            if (monthly <= 0)
            {
                continue;
            }

            var name = s.Tags.GetValueOrDefault("Name") ?? string.Empty;
            var managed = s.Tags.ContainsKey(BackupTags.Policy);
            yield return new Recommendation(RecommendationKind.OldSnapshot, new InstanceRef(s.Scope.AccountId, s.Scope.Region, s.SnapshotId),
                name.Length > 0 ? $"{name} ({s.SnapshotId})" : s.SnapshotId, s.Tags, "snapshot", null, monthly,
                managed ? Confidence.High : string.IsNullOrEmpty(name) ? Confidence.Medium : Confidence.Low,
                [
                    F($"{s.SizeGiB} GiB of {s.VolumeId}, taken {started:yyyy-MM-dd} ({age.TotalDays:0} days ago)"),
                    reason,
                    F($"At most {monthly:0.00} USD/month ({PerGiBMonth} USD/GiB-month; snapshots are incremental, so deleting one frees only blocks no other snapshot holds)"),
                    "No image is made from it",
                ]);
        }
    }

    private static string? Reason(SnapshotInfo s, TimeSpan age, Dictionary<string, BackupPolicy> policies, Dictionary<string, int> ranks, IReadOnlyList<BackupPolicy> all, SnapshotSettings settings)
    {
        if (s.Tags.TryGetValue(BackupTags.Policy, out var policyId))
        {
            var ruleName = s.Tags.GetValueOrDefault(BackupTags.Rule);
            if (!policies.TryGetValue(policyId, out var policy) || !policy.Enabled || (ruleName is not null && policy.Rule(ruleName) is null))
            {
                return age.TotalDays > settings.UnmanagedMaxAgeDays
                    ? F($"Made by backup policy {policyId}{(ruleName is null ? string.Empty : $" rule {ruleName}")}, which no longer exists or is disabled, and older than {settings.UnmanagedMaxAgeDays} days")
                    : null;
            }

            var rule = ruleName is null ? null : policy.Rule(ruleName);
            if (rule?.KeepDays is { } days && age.TotalDays > days + settings.GraceDays)
            {
                return F($"Beyond policy {policy.Name} rule {rule.Name}'s retention of {days} days");
            }

            if (rule is not null && ranks.GetValueOrDefault(s.SnapshotId) >= rule.KeepCount && age.TotalDays > settings.GraceDays)
            {
                return F($"Beyond policy {policy.Name} rule {rule.Name}'s retention of the newest {rule.KeepCount} per volume (it is number {ranks[s.SnapshotId] + 1})");
            }

            return null;
        }

        var covering = all.Where(p => p.Enabled && p.AccountId == s.Scope.AccountId && p.Region == s.Scope.Region).ToList();
        var longest = covering.SelectMany(p => p.Rules).Select(r => r.KeepDays).Where(d => d is not null).Select(d => d!.Value).DefaultIfEmpty(0).Max();
        if (longest > 0 && age.TotalDays > longest + settings.GraceDays)
        {
            return F($"Not made by a backup policy, and older than the longest retention of this account and region's policies ({longest} days)");
        }

        if (longest == 0 && age.TotalDays > settings.UnmanagedMaxAgeDays)
        {
            return F($"Not made by a backup policy, and older than {settings.UnmanagedMaxAgeDays} days{(covering.Count == 0 ? " (no backup policy covers this account and region)" : string.Empty)}");
        }

        return null;
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The thresholds of the old-snapshot rule.</summary>
public sealed record SnapshotSettings
{
    /// <summary>Age past which a snapshot that no policy keeps is proposed for deletion.</summary>
    public int UnmanagedMaxAgeDays { get; init; } = 90;

    /// <summary>Days past a policy's retention before a snapshot it made is proposed (the retention step may be running late).</summary>
    public int GraceDays { get; init; } = 2;
}
