using PortalOps.Domain.Accounts;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;

namespace PortalOps.Domain.Compliance;

/// <summary>What a scan did.</summary>
public sealed record ScanOutcome(Guid ScanId, int Resources, int Policies, int Violations, int New, int Reopened, int Resolved, IReadOnlyList<string> FailedScopes);

/// <summary>
/// The compliance scan: reads every account × region once (in parallel, bounded), evaluates every policy in force over that one
/// snapshot, folds the violations into the findings (new, seen, resolved, reopened, waived, exception expired), keeps the tallies
/// for the trend, and tells owners about new high-severity findings and expired exceptions. Running it twice in a row changes
/// nothing the second time except last-seen times.
/// </summary>
public sealed class ComplianceScanner(
    IComplianceSource source,
    ICloudProvider cloud,
    IPolicySource policies,
    IFindingStore findings,
    IWaiverStore waivers,
    IComplianceNotifier notifier,
    TimeProvider clock,
    ITagGovernance tags)
{
    public const int Parallelism = 4;

    public async Task<ScanOutcome> ScanAsync(CancellationToken cancellationToken = default)
    {
        var scopes = cloud.Accounts.SelectMany(a => a.Regions.Select(r => new CloudScope(a.Id, r))).ToList();
        var read = new List<ComplianceResource>();
        var scanned = new List<CloudScope>();
        var failed = new List<string>();
        var gate = new Lock();
        await Parallel.ForEachAsync(scopes, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (scope, ct) =>
        {
            try
            {
                var resources = await source.ReadAsync(scope, ct).ConfigureAwait(false);
                lock (gate)
                {
                    read.AddRange(resources);
                    scanned.Add(scope);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                lock (gate)
                {
                    failed.Add($"{scope}: {ex.GetType().Name}");
                }
            }
        }).ConfigureAwait(false);

        var now = clock.GetUtcNow();
        var inForce = await policies.CurrentAsync(cancellationToken).ConfigureAwait(false);
        var evaluation = PolicyEvaluator.Evaluate(inForce, new ComplianceInventory(read, scanned), new EvaluationContext(now, tags.RequiredTagKeys));
        var known = await findings.ForPoliciesAsync(evaluation.PoliciesEvaluated, cancellationToken).ConfigureAwait(false);
        var allWaivers = await waivers.ListAsync(cancellationToken).ConfigureAwait(false);
        var result = FindingLifecycle.Reconcile(known, evaluation, scanned, allWaivers, now);
        var addedIds = result.Added.Select(f => f.Id).ToHashSet();
        await findings.SaveAsync(result.Added, result.Touched.Where(f => !addedIds.Contains(f.Id)).ToList(), cancellationToken).ConfigureAwait(false);
        var scan = new ScanSummary(Guid.NewGuid(), now, evaluation.Tallies, failed);
        await findings.AddScanAsync(scan, cancellationToken).ConfigureAwait(false);
        await TellAsync(result, now, cancellationToken).ConfigureAwait(false);

        return new ScanOutcome(scan.Id, read.Count, evaluation.PoliciesEvaluated.Count, evaluation.Violations.Count,
            result.Changes.Count(c => c.Kind == FindingChangeKind.New), result.Changes.Count(c => c.Kind == FindingChangeKind.Reopened),
            result.Changes.Count(c => c.Kind == FindingChangeKind.Resolved), failed);
    }

    /// <summary>Applies exceptions without reading AWS: after one is granted, and on a schedule so an expiry reopens at once.</summary>
    public async Task<ReconcileResult> ApplyWaiversAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var unresolved = await findings.UnresolvedAsync(cancellationToken).ConfigureAwait(false);
        var result = FindingLifecycle.ApplyWaivers(unresolved, await waivers.ListAsync(cancellationToken).ConfigureAwait(false), now);
        await findings.SaveAsync([], result.Touched, cancellationToken).ConfigureAwait(false);
        await TellAsync(result, now, cancellationToken).ConfigureAwait(false);
        return result;
    }

    private async Task TellAsync(ReconcileResult result, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var high = result.Changes.Where(c => c.Kind is FindingChangeKind.New or FindingChangeKind.Reopened && c.Finding.Severity >= Severity.High
            && c.Finding.Status == FindingStatus.Open).Select(c => c.Finding).ToList();
        var expired = result.ExpiredWaivers
            .Select(w => (w, (IReadOnlyList<Finding>)result.Changes.Where(c => c.Kind == FindingChangeKind.WaiverExpired && w.Covers(c.Finding)).Select(c => c.Finding).ToList()))
            .ToList();
        if (high.Count == 0 && expired.Count == 0)
        {
            return;
        }

        await notifier.NotifyAsync(high, expired, cancellationToken).ConfigureAwait(false);
        foreach (var (w, _) in expired)
        {
            await waivers.MarkExpiryNotifiedAsync(w.Id, now, cancellationToken).ConfigureAwait(false);
        }
    }
}
