using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Compliance;

public enum FindingChangeKind
{
    New,
    Reopened,
    Resolved,
    Waived,

    /// <summary>Its exception expired and it is open again; the exception's owner is told.</summary>
    WaiverExpired,
}

public sealed record FindingChange(Finding Finding, FindingChangeKind Kind);

/// <summary>What one scan did to the findings: the new ones to add, and every change (new ones included) to save and tell.</summary>
public sealed record ReconcileResult(IReadOnlyList<Finding> Added, IReadOnlyList<Finding> Touched, IReadOnlyList<FindingChange> Changes, IReadOnlyList<Waiver> ExpiredWaivers);

/// <summary>
/// Folds a scan's violations into the known findings. Only findings of policies that were evaluated, in account × regions
/// that were read in full, can be resolved: a region that failed to answer leaves its findings as they were.
/// </summary>
public static class FindingLifecycle
{
    public static ReconcileResult Reconcile(
        IReadOnlyCollection<Finding> known,
        EvaluationResult evaluation,
        IReadOnlyCollection<CloudScope> scanned,
        IReadOnlyCollection<Waiver> waivers,
        DateTimeOffset now)
    {
        var byKey = known.ToDictionary(f => f.Key, StringComparer.Ordinal);
        var scannedSet = scanned.ToHashSet();
        var active = waivers.Where(w => w.IsActive(now)).ToList();
        var added = new List<Finding>();
        var touched = new List<Finding>();
        var changes = new List<FindingChange>();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        foreach (var v in evaluation.Violations)
        {
            seen.Add(v.FindingKey);
            if (byKey.TryGetValue(v.FindingKey, out var f))
            {
                if (f.Seen(v, now))
                {
                    changes.Add(new FindingChange(f, FindingChangeKind.Reopened));
                }

                touched.Add(f);
            }
            else
            {
                f = Finding.Open(v, now);
                byKey[f.Key] = f;
                added.Add(f);
                changes.Add(new FindingChange(f, FindingChangeKind.New));
            }
        }

        foreach (var f in known)
        {
            if (!seen.Contains(f.Key) && f.Status != FindingStatus.Resolved
                && evaluation.PoliciesEvaluated.Contains(f.PolicyId) && scannedSet.Contains(f.Scope))
            {
                f.Resolve(now);
                touched.Add(f);
                changes.Add(new FindingChange(f, FindingChangeKind.Resolved));
            }
        }

        var expired = new List<Waiver>();
        foreach (var f in byKey.Values.Where(f => f.Status != FindingStatus.Resolved))
        {
            var cover = active.FirstOrDefault(w => w.Covers(f));
            if (cover is not null && !(f.Status == FindingStatus.Waived && f.WaiverId == cover.Id))
            {
                f.Waive(cover, now);
                touched.Add(f);
                changes.Add(new FindingChange(f, FindingChangeKind.Waived));
            }
            else if (cover is null && f.Status == FindingStatus.Waived)
            {
                var lapsed = waivers.FirstOrDefault(w => w.Id == f.WaiverId);
                f.WaiverLapsed(now);
                touched.Add(f);
                changes.Add(new FindingChange(f, FindingChangeKind.WaiverExpired));
                if (lapsed is not null && lapsed.ExpiryNotifiedAt is null && !expired.Contains(lapsed))
                {
                    expired.Add(lapsed);
                }
            }
        }

        return new ReconcileResult(added, touched.Distinct().ToList(), changes, expired);
    }

    /// <summary>Applies exceptions without a scan (an exception was granted, or the clock passed an expiry).</summary>
    public static ReconcileResult ApplyWaivers(IReadOnlyCollection<Finding> known, IReadOnlyCollection<Waiver> waivers, DateTimeOffset now) =>
        Reconcile(known, new EvaluationResult([], [], new HashSet<string>()), [], waivers, now);
}
