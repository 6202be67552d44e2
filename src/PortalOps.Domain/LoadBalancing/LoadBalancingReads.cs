using System.Collections.Concurrent;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.LoadBalancing;

/// <summary>
/// Reads load balancing for pages, exports and the bot: every account × region of the cloud in parallel (bounded), kept for
/// <see cref="LoadBalancingSettings.CacheFor"/>, filtered to what the person may see by the <see cref="Authorizer"/> and paged
/// here rather than in a page. Each read also adds a sample to each load balancer's health history (the chart).
/// </summary>
public sealed class LoadBalancingReads(ICloudProvider cloud, ILoadBalancing loadBalancing, LoadBalancingSettings settings, TimeProvider clock, IRegistrationIndex? index = null)
{
    private const int HistoryLength = 240;

    private readonly ConcurrentDictionary<CloudScope, LoadBalancingView> cache = new();
    private readonly ConcurrentDictionary<string, Queue<HealthSample>> history = new(StringComparer.Ordinal);

    public IEnumerable<CloudScope> Scopes => cloud.Accounts.SelectMany(a => a.Regions.Select(r => new CloudScope(a.Id, r)));

    /// <summary>Forgets what was read for a scope, so the next read asks the cloud (after an action).</summary>
    public void Invalidate(CloudScope scope) => cache.TryRemove(scope, out _);

    /// <summary>The last read of a scope if it is at most <paramref name="maxAge"/> old (the drain's index of registrations).</summary>
    public LoadBalancingView? Cached(CloudScope scope, TimeSpan maxAge) =>
        cache.TryGetValue(scope, out var view) && clock.GetUtcNow() - view.ReadAt <= maxAge ? view : null;

    /// <summary>Every scope's view; <paramref name="fresh"/> reads them all again.</summary>
    public async Task<IReadOnlyList<LoadBalancingView>> ViewsAsync(bool fresh = false, CancellationToken cancellationToken = default)
    {
        var scopes = Scopes.ToList();
        var views = new LoadBalancingView[scopes.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, scopes.Count), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.Parallelism), CancellationToken = cancellationToken },
            async (i, ct) => views[i] = await ViewAsync(scopes[i], fresh, ct));
        return views;
    }

    public async Task<LoadBalancingView> ViewAsync(CloudScope scope, bool fresh = false, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        if (!fresh && cache.TryGetValue(scope, out var kept) && now - kept.ReadAt < settings.CacheFor)
        {
            return kept;
        }

        var balancers = loadBalancing.LoadBalancersAsync(scope, cancellationToken);
        var groups = loadBalancing.TargetGroupsAsync(scope, cancellationToken);
        var view = new LoadBalancingView(scope, await balancers, await groups, now);
        cache[scope] = view;
        Record(view);
        if (index is not null)
        {
            // What drains use to find an instance's target groups, kept across restarts.
            await index.RecordAsync(RegistrationIndexSnapshot.Of(view), cancellationToken);
        }

        return view;
    }

    public async Task<Page<LoadBalancerRow>> QueryAsync(Actor actor, LoadBalancerQuery query, CancellationToken cancellationToken = default)
    {
        var size = Math.Clamp(query.PageSize, 1, LoadBalancerQuery.MaxPageSize);
        var rows = await RowsAsync(actor, query, cancellationToken);
        var index = Math.Max(0, query.PageIndex);
        return new Page<LoadBalancerRow>(rows.Skip(index * size).Take(size).ToList(), rows.Count, index, size);
    }

    /// <summary>Every row the person may see that matches the filter, by name (the CSV export).</summary>
    public async Task<IReadOnlyList<LoadBalancerRow>> RowsAsync(Actor actor, LoadBalancerQuery query, CancellationToken cancellationToken = default)
    {
        var views = await ViewsAsync(false, cancellationToken);
        var text = query.Text?.Trim();
        return views
            .Where(v => (string.IsNullOrEmpty(query.AccountId) || v.Scope.AccountId == query.AccountId) && (string.IsNullOrEmpty(query.Region) || v.Scope.Region == query.Region))
            .SelectMany(v => v.LoadBalancers.Where(lb => Authorizer.MaySee(actor, lb.Scope.AccountId, lb.Scope.Region, lb.Tags)).Select(lb => RowOf(actor, v, lb)))
            .Where(r => query.Kind is null || r.LoadBalancer.Kind == query.Kind)
            .Where(r => !query.OnlyTrouble || r.InTrouble)
            .Where(r => string.IsNullOrEmpty(text) || Matches(r, text, views))
            .OrderBy(r => r.LoadBalancer.Name, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.LoadBalancer.Scope.Region, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>One load balancer by name, with its target groups' deregistration delays; null when absent or not the person's to see.</summary>
    public async Task<LoadBalancerDetail?> FindAsync(Actor actor, string accountId, string region, string name, CancellationToken cancellationToken = default)
    {
        var scope = new CloudScope(accountId, region);
        if (!Scopes.Contains(scope))
        {
            return null;
        }

        var view = await ViewAsync(scope, false, cancellationToken);
        var lb = view.LoadBalancers.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.Ordinal));
        if (lb is null || !Authorizer.MaySee(actor, accountId, region, lb.Tags))
        {
            return null;
        }

        var groups = new List<TargetGroup>();
        foreach (var g in view.TargetGroupsOf(lb).Where(g => Authorizer.MaySee(actor, accountId, region, g.Tags)))
        {
            groups.Add(g.DeregistrationDelay is null ? g with { DeregistrationDelay = await loadBalancing.DeregistrationDelayAsync(scope, g.Arn, cancellationToken) } : g);
        }

        return new LoadBalancerDetail(lb, groups, view.ReadAt);
    }

    /// <summary>Load balancers whose name contains <paramref name="name"/> (exact matches first) that the person may see: the bot's /lb.</summary>
    public async Task<IReadOnlyList<LoadBalancerDetail>> SearchAsync(Actor actor, string name, int max = 5, CancellationToken cancellationToken = default)
    {
        var views = await ViewsAsync(false, cancellationToken);
        return views.SelectMany(v => v.LoadBalancers
                .Where(lb => lb.Name.Contains(name.Trim(), StringComparison.OrdinalIgnoreCase) && Authorizer.MaySee(actor, lb.Scope.AccountId, lb.Scope.Region, lb.Tags))
                .Select(lb => new LoadBalancerDetail(lb, v.TargetGroupsOf(lb).Where(g => Authorizer.MaySee(actor, lb.Scope.AccountId, lb.Scope.Region, g.Tags)).ToList(), v.ReadAt)))
            .OrderBy(d => string.Equals(d.LoadBalancer.Name, name.Trim(), StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .ThenBy(d => d.LoadBalancer.Name, StringComparer.OrdinalIgnoreCase)
            .Take(max)
            .ToList();
    }

    /// <summary>The load balancer's health over the reads kept in this process (oldest first).</summary>
    public IReadOnlyList<HealthSample> HistoryOf(LoadBalancer lb) =>
        history.TryGetValue(lb.Arn, out var samples) ? Snapshot(samples) : [];

    private static IReadOnlyList<HealthSample> Snapshot(Queue<HealthSample> samples)
    {
        lock (samples)
        {
            return samples.ToList();
        }
    }

    private void Record(LoadBalancingView view)
    {
        foreach (var lb in view.LoadBalancers)
        {
            var targets = view.TargetGroupsOf(lb).SelectMany(g => g.Targets).ToList();
            var sample = new HealthSample(view.ReadAt, targets.Count(t => t.State == TargetHealthState.Healthy), targets.Count(t => t.State == TargetHealthState.Unhealthy),
                targets.Count(t => t.State == TargetHealthState.Draining), targets.Count(t => t.State is TargetHealthState.Initial or TargetHealthState.Unused or TargetHealthState.Unavailable));
            var samples = history.GetOrAdd(lb.Arn, _ => new Queue<HealthSample>());
            lock (samples)
            {
                samples.Enqueue(sample);
                while (samples.Count > HistoryLength)
                {
                    samples.Dequeue();
                }
            }
        }
    }

    private static LoadBalancerRow RowOf(Actor actor, LoadBalancingView view, LoadBalancer lb)
    {
        var groups = view.TargetGroupsOf(lb).Where(g => Authorizer.MaySee(actor, lb.Scope.AccountId, lb.Scope.Region, g.Tags)).ToList();
        var targets = groups.SelectMany(g => g.Targets).ToList();
        return new LoadBalancerRow(lb, groups.Count, targets.Count(t => t.State == TargetHealthState.Healthy), targets.Count(t => t.State == TargetHealthState.Unhealthy),
            targets.Count(t => t.State == TargetHealthState.Draining), targets.Count, groups.Count(g => g.HasNoHealthyTargets));
    }

    private static bool Matches(LoadBalancerRow row, string text, IReadOnlyList<LoadBalancingView> views)
    {
        var lb = row.LoadBalancer;
        return lb.Name.Contains(text, StringComparison.OrdinalIgnoreCase)
            || (lb.DnsName?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
            || views.First(v => v.Scope == lb.Scope).TargetGroupsOf(lb).Any(g => g.Name.Contains(text, StringComparison.OrdinalIgnoreCase) || g.Targets.Any(t => t.TargetId == text));
    }
}
