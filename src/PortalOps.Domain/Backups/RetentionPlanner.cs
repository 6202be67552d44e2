namespace PortalOps.Domain.Backups;

/// <summary>A recovery point retention would delete, and why; or one it keeps although expired, and why.</summary>
public sealed record PruneDecision(RecoveryPoint Point, bool Delete, string Reason);

/// <summary>
/// Which recovery points of one policy rule have expired. A point is kept while it is among the newest <c>keepCount</c> completed points
/// of its series (instance and volume) and, when an age is set, younger than <c>keepDays</c>. Whatever the numbers say, it never deletes
/// a point without this policy's and rule's tags, a point still pending or one in error (the run reports those), a snapshot a registered
/// image uses, or the newest completed point of a series (the last good copy).
/// </summary>
public static class RetentionPlanner
{
    public static IReadOnlyList<PruneDecision> Plan(
        IEnumerable<RecoveryPoint> points,
        Guid policyId,
        string ruleName,
        bool copies,
        int keepCount,
        int? keepDays,
        IReadOnlySet<string> snapshotsBehindImages,
        DateTimeOffset now)
    {
        var decisions = new List<PruneDecision>();
        var mine = points.Where(p => p.BelongsTo(policyId, ruleName) && p.IsCopy == copies && p.InstanceId is not null);
        foreach (var series in mine.GroupBy(p => p.Series, StringComparer.Ordinal))
        {
            var completed = series.Where(p => p.State == RecoveryPointState.Completed).OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id, StringComparer.Ordinal).ToList();
            for (var i = 0; i < completed.Count; i++)
            {
                var point = completed[i];
                var beyondCount = i >= keepCount;
                var tooOld = keepDays is { } days && point.CreatedAt < now.AddDays(-days);
                if (!beyondCount && !tooOld)
                {
                    continue;
                }

                var why = beyondCount ? $"beyond the newest {keepCount}" : $"older than {keepDays} days";
                if (i == 0)
                {
                    decisions.Add(new PruneDecision(point, false, $"kept: {why}, but the last good {(copies ? "copy" : "backup")} of {series.Key}"));
                }
                else if (point.Kind == RecoveryPointKind.Snapshot && snapshotsBehindImages.Contains(point.Id))
                {
                    decisions.Add(new PruneDecision(point, false, $"kept: {why}, but a registered image uses it"));
                }
                else
                {
                    decisions.Add(new PruneDecision(point, true, why));
                }
            }
        }

        return decisions;
    }
}
