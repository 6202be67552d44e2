using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Patching;

namespace PortalOps.Domain.LoadBalancing;

/// <summary>
/// Drain before stop: takes instances out of every target group they are registered in (one DeregisterTargets per group), then
/// looks at their health until none is <c>draining</c> any more — each group bounded by its own deregistration delay counted from
/// its deregistration (and <see cref="LoadBalancingSettings.MaxDrainWait"/>) — waiting between looks with timers rather than a
/// blocked thread, and looking once more exactly when the delay is up.
/// What it took out is remembered, so a reboot or a later start registers the instances again.
/// Which groups hold the instances: a recent read of the scope (in this process, or the persisted <see cref="IRegistrationIndex"/>)
/// names the candidates, each confirmed with one DescribeTargetHealth for just these instances and deregistered at once. When that
/// read is older than <see cref="LoadBalancingSettings.RegistrationIndexAge"/> (or there is none) the other instance target groups
/// are searched too — while the found ones drain, not before — and a group found by the search is deregistered as soon as it is found.
/// Also the patching module's <see cref="IRebootPreparation"/>.
/// </summary>
public sealed class TargetDrainer(ILoadBalancing loadBalancing, IDrainedRegistrations remembered, LoadBalancingSettings settings, TimeProvider clock, IDrainProgress? progress = null, LoadBalancingReads? reads = null, IRegistrationIndex? index = null)
    : IInstanceDrain, IRebootPreparation
{
    private static readonly TimeSpan DelayKeptFor = TimeSpan.FromMinutes(10);
    private readonly IDrainProgress progress = progress ?? new SilentDrainProgress();
    private readonly ILoadBalancing loadBalancing = loadBalancing;
    private readonly IDrainedRegistrations remembered = remembered;
    private readonly LoadBalancingSettings settings = settings;
    private readonly TimeProvider clock = clock;
    private readonly LoadBalancingReads? reads = reads;
    private readonly IRegistrationIndex? index = index;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (TimeSpan Delay, DateTimeOffset ReadAt)> delays = new(StringComparer.Ordinal);

    public async Task<DrainOutcome> DrainAsync(InstanceAction action, IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default)
    {
        using var run = new DrainRun(this, action, instances, cancellationToken);
        try
        {
            await Task.WhenAll(instances.GroupBy(i => new CloudScope(i.AccountId, i.Region))
                .Select(scope => run.ScopeAsync(scope.Key, scope.Select(i => i.InstanceId).ToHashSet(StringComparer.Ordinal))));
        }
        catch
        {
            await run.PutBackAsync();
            if (run.Failure is { } failure)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }

            throw;
        }

        var outcome = run.Outcome();
        await run.ReportDoneAsync(outcome);
        return outcome;
    }

    private async Task<TimeSpan> DelayOfAsync(CloudScope scope, string arn, TimeSpan? known, CancellationToken cancellationToken)
    {
        if (known is { } k)
        {
            return k;
        }

        var now = clock.GetUtcNow();
        if (delays.TryGetValue(arn, out var kept) && now - kept.ReadAt < DelayKeptFor)
        {
            return kept.Delay;
        }

        var delay = await loadBalancing.DeregistrationDelayAsync(scope, arn, cancellationToken);
        delays[arn] = (delay, now);
        return delay;
    }

    private static bool HoldsInstances(TargetGroup g) =>
        !string.Equals(g.TargetType, "ip", StringComparison.OrdinalIgnoreCase)
        && !string.Equals(g.TargetType, "lambda", StringComparison.OrdinalIgnoreCase)
        && !string.Equals(g.TargetType, "alb", StringComparison.OrdinalIgnoreCase);

    private static List<TargetRef> RegistrationsOf(IReadOnlyList<TargetHealthEntry> targets, IReadOnlySet<string> ids) =>
        targets.Where(t => ids.Contains(t.TargetId) && t.State != TargetHealthState.Draining && t.Reason != TargetGroup.NotRegistered)
            .Select(t => new TargetRef(t.TargetId, t.Port)).ToList();

    private sealed record Candidate(string Arn, string Name, TimeSpan? Delay);

    /// <summary>One drain of a set of instances: the groups found so far, each draining on its own clock.</summary>
    private sealed class DrainRun(TargetDrainer owner, InstanceAction action, IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken)
        : IDisposable
    {
        private readonly CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        private readonly Lock gate = new();
        private readonly List<GroupDrain> groups = [];
        private readonly List<string> requestIds = [];
        private long? firstDeregistration;
        private Exception? failure;

        /// <summary>The first failure in any group (the others then end cancelled).</summary>
        public Exception? Failure => failure;

        private CancellationToken Token => stop.Token;

        public void Dispose() => stop.Dispose();

        /// <summary>A failure in one group stops the others (their waits end; what was taken out is put back).</summary>
        private async Task Guarded(Task inner)
        {
            try
            {
                await inner;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Interlocked.CompareExchange(ref failure, ex, null);
                await stop.CancelAsync();
                throw;
            }
        }

        public async Task ScopeAsync(CloudScope scope, HashSet<string> ids)
        {
            var (candidates, fresh) = await CandidatesAsync(scope, ids);
            var asked = ids.Select(id => new TargetRef(id)).ToList();
            var handled = candidates.Select(c => c.Arn).ToHashSet(StringComparer.Ordinal);
            var work = candidates.Select(c => Guarded(ConfirmAsync(scope, c, ids, asked))).ToList();
            if (!fresh)
            {
                work.Add(Guarded(SearchAsync(scope, ids, asked, handled)));
            }

            await Task.WhenAll(work);
        }

        private async Task ConfirmAsync(CloudScope scope, Candidate c, IReadOnlySet<string> ids, IReadOnlyList<TargetRef> asked)
        {
            var health = await owner.loadBalancing.HealthAsync(scope, c.Arn, asked, Token);
            await DrainGroupAsync(scope, c, RegistrationsOf(health, ids));
        }

        /// <summary>The groups a read of the scope saw holding the instances, and whether that read is recent enough to trust alone.</summary>
        private async Task<(IReadOnlyList<Candidate> Candidates, bool Fresh)> CandidatesAsync(CloudScope scope, IReadOnlySet<string> ids)
        {
            if (owner.reads?.Cached(scope, owner.settings.RegistrationIndexAge) is { } view)
            {
                return (view.TargetGroups.Where(g => g.Targets.Any(t => ids.Contains(t.TargetId))).Select(g => new Candidate(g.Arn, g.Name, g.DeregistrationDelay)).ToList(), true);
            }

            if (owner.index is not null && await owner.index.LatestAsync(scope, Token) is { } snapshot)
            {
                var found = snapshot.Registrations.Where(r => ids.Contains(r.InstanceId)).GroupBy(r => r.TargetGroupArn, StringComparer.Ordinal)
                    .Select(g => new Candidate(g.Key, g.First().TargetGroupName, null)).ToList();
                return (found, owner.clock.GetUtcNow() - snapshot.ReadAt <= owner.settings.RegistrationIndexAge);
            }

            return ([], false);
        }

        /// <summary>
        /// Every other instance target group of the scope, asked about just these instances, a bounded number at a time; the
        /// groups of a listing page are asked while the next page is read, so a group early in the listing starts draining
        /// after one page rather than after the whole listing.
        /// </summary>
        private async Task SearchAsync(CloudScope scope, IReadOnlySet<string> ids, IReadOnlyList<TargetRef> asked, IReadOnlySet<string> handled)
        {
            var found = new List<Task>();
            var asks = new List<Task>();
            var bound = new SemaphoreSlim(Math.Max(1, owner.settings.DrainSearchParallelism));
            try
            {
                await foreach (var page in owner.loadBalancing.TargetGroupPagesAsync(scope, Token).WithCancellation(Token))
                {
                    foreach (var g in page.Where(g => !handled.Contains(g.Arn) && HoldsInstances(g)))
                    {
                        if (g.Targets.Count > 0)
                        {
                            // The list came with health (the sandbox, a full read): nothing to ask.
                            Found(g, RegistrationsOf(g.Targets, ids));
                        }
                        else
                        {
                            asks.Add(AskAsync(g));
                        }
                    }
                }
            }
            finally
            {
                // Whatever the listing did, the asks already under way end before the search does.
                await Task.WhenAll(asks.Select(a => a.ContinueWith(_ => { }, TaskScheduler.Default)));
            }

            await Task.WhenAll(asks);
            Task[] drains;
            lock (found)
            {
                drains = [.. found];
            }

            await Task.WhenAll(drains);

            async Task AskAsync(TargetGroup g)
            {
                await bound.WaitAsync(Token);
                try
                {
                    Found(g, RegistrationsOf(await owner.loadBalancing.HealthAsync(scope, g.Arn, asked, Token), ids));
                }
                finally
                {
                    bound.Release();
                }
            }

            void Found(TargetGroup g, IReadOnlyList<TargetRef> registrations)
            {
                if (registrations.Count > 0)
                {
                    lock (found)
                    {
                        found.Add(Guarded(DrainGroupAsync(scope, new Candidate(g.Arn, g.Name, g.DeregistrationDelay), registrations)));
                    }
                }
            }
        }

        /// <summary>Deregisters the instances from one group, then looks at them until they have left <c>draining</c> or the group's bound is up.</summary>
        private async Task DrainGroupAsync(CloudScope scope, Candidate group, IReadOnlyList<TargetRef> targets)
        {
            if (targets.Count == 0)
            {
                return;
            }

            var delayTask = owner.DelayOfAsync(scope, group.Arn, group.Delay, Token);
            if (action != InstanceAction.Terminate)
            {
                await owner.remembered.SaveAsync(targets.Select(x => new DrainedRegistration(new InstanceRef(scope.AccountId, scope.Region, x.Id), group.Arn, group.Name, x.Port)).ToList(), Token);
            }

            var drain = new GroupDrain(scope, group.Arn, group.Name, targets);
            lock (gate)
            {
                groups.Add(drain);
            }

            var id = await owner.loadBalancing.DeregisterAsync(scope, group.Arn, targets, Token);
            var deregistered = owner.clock.GetTimestamp();
            lock (gate)
            {
                drain.Deregistered = true;
                firstDeregistration = firstDeregistration is { } earlier ? Math.Min(earlier, deregistered) : deregistered;
                if (id is not null)
                {
                    requestIds.Add(id);
                }
            }

            drain.Delay = await delayTask;
            var bound = drain.Delay < owner.settings.MaxDrainWait ? drain.Delay : owner.settings.MaxDrainWait;
            drain.StillDraining = targets.Count;
            await ReportAsync();
            var pending = targets;
            while (true)
            {
                var left = bound - owner.clock.GetElapsedTime(deregistered);
                if (left <= TimeSpan.Zero)
                {
                    break;
                }

                // Look every poll interval, and once exactly when the delay is up (ELB completes the deregistration then).
                await Task.Delay(left < owner.settings.DrainPollInterval ? left : owner.settings.DrainPollInterval, owner.clock, Token);
                var health = await owner.loadBalancing.HealthAsync(scope, group.Arn, pending, Token);
                pending = pending.Where(x => health.Any(h => h.TargetId == x.Id && h.State == TargetHealthState.Draining)).ToList();
                drain.StillDraining = pending.Count;
                if (pending.Count == 0)
                {
                    break;
                }

                await ReportAsync();
            }

            drain.Ended = owner.clock.GetTimestamp();
        }

        private Task ReportAsync()
        {
            DrainProgress report;
            lock (gate)
            {
                var bound = groups.Count == 0 ? TimeSpan.Zero : groups.Max(g => g.Delay < owner.settings.MaxDrainWait ? g.Delay : owner.settings.MaxDrainWait);
                var waited = firstDeregistration is { } first ? owner.clock.GetElapsedTime(first) : TimeSpan.Zero;
                report = new DrainProgress(instances, Names(), groups.Sum(g => g.Targets.Count), groups.Sum(g => g.StillDraining), waited, bound);
            }

            return owner.progress.ReportAsync(report, Token);
        }

        /// <summary>The last report: the drain has ended (the action follows).</summary>
        public async Task ReportDoneAsync(DrainOutcome outcome)
        {
            if (outcome.Summary is null)
            {
                return;
            }

            DrainProgress report;
            lock (gate)
            {
                var bound = groups.Max(g => g.Delay < owner.settings.MaxDrainWait ? g.Delay : owner.settings.MaxDrainWait);
                report = new DrainProgress(instances, Names(), groups.Sum(g => g.Targets.Count), groups.Sum(g => g.StillDraining), outcome.Waited, bound, outcome.Summary);
            }

            await owner.progress.ReportAsync(report, cancellationToken);
        }

        private string Names() => string.Join(", ", groups.Select(g => g.Name).Distinct(StringComparer.Ordinal));

        public DrainOutcome Outcome()
        {
            lock (gate)
            {
                if (groups.Count == 0)
                {
                    return DrainOutcome.None;
                }

                var first = firstDeregistration ?? owner.clock.GetTimestamp();
                var end = groups.Max(g => g.Ended ?? first);
                var waited = owner.clock.GetElapsedTime(first, Math.Max(first, end));
                var longest = groups.Max(g => g.Delay);
                var bound = longest < owner.settings.MaxDrainWait ? longest : owner.settings.MaxDrainWait;
                var count = groups.Sum(g => g.Targets.Count);
                var still = groups.Sum(g => g.StillDraining);
                var summary = still == 0
                    ? $"Drained from {Names()} in {Seconds(waited)} (deregistration delay {Seconds(longest)})."
                    : $"Deregistered from {Names()}; {still} target(s) still draining after {Seconds(waited)} (bound {Seconds(bound)}), acting anyway.";
                return new DrainOutcome(count, summary, requestIds.ToList()) { Waited = waited };
            }
        }

        /// <summary>After a failure nothing is sent to the instances, so whatever this drain took out goes back.</summary>
        public async Task PutBackAsync()
        {
            List<GroupDrain> taken;
            lock (gate)
            {
                taken = groups.Where(g => g.Deregistered).ToList();
            }

            var all = true;
            foreach (var g in taken)
            {
                try
                {
                    await owner.loadBalancing.RegisterAsync(g.Scope, g.Arn, g.Targets, CancellationToken.None);
                }
                catch (Exception)
                {
                    // Still remembered (unless a terminate): a later start registers them again.
                    all = false;
                }
            }

            if (action != InstanceAction.Terminate && taken.Count > 0 && all)
            {
                await owner.remembered.TakeAsync(taken.SelectMany(g => g.Targets.Select(t => new InstanceRef(g.Scope.AccountId, g.Scope.Region, t.Id))).Distinct().ToList(), CancellationToken.None);
            }
        }
    }

    private sealed class GroupDrain(CloudScope scope, string arn, string name, IReadOnlyList<TargetRef> targets)
    {
        public CloudScope Scope { get; } = scope;

        public string Arn { get; } = arn;

        public string Name { get; } = name;

        public IReadOnlyList<TargetRef> Targets { get; } = targets;

        public bool Deregistered { get; set; }

        public TimeSpan Delay { get; set; }

        public int StillDraining { get; set; }

        public long? Ended { get; set; }
    }

    public async Task<DrainOutcome> RestoreAsync(InstanceAction action, IReadOnlyList<InstanceRef> instances, DrainOutcome? drained, CancellationToken cancellationToken = default)
    {
        var registrations = await remembered.TakeAsync(instances, cancellationToken);
        if (registrations.Count == 0)
        {
            return DrainOutcome.None;
        }

        var requestIds = new List<string>();
        foreach (var group in registrations.GroupBy(r => (Scope: new CloudScope(r.Instance.AccountId, r.Instance.Region), r.TargetGroupArn)))
        {
            var id = await loadBalancing.RegisterAsync(group.Key.Scope, group.Key.TargetGroupArn, group.Select(r => new TargetRef(r.Instance.InstanceId, r.Port)).ToList(), cancellationToken);
            if (id is not null)
            {
                requestIds.Add(id);
            }
        }

        var names = string.Join(", ", registrations.Select(r => r.TargetGroupName).Distinct(StringComparer.Ordinal));
        return new DrainOutcome(registrations.Count, $"Registered again in {names}.", requestIds);
    }

    Task IRebootPreparation.PrepareAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken) =>
        DrainAsync(InstanceAction.Reboot, instances, cancellationToken);

    Task IRebootPreparation.RestoreAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken) =>
        RestoreAsync(InstanceAction.Reboot, instances, null, cancellationToken);

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0} s";
}

/// <summary>Where a drain is: for a status line on the page or an edited Telegram message. <see cref="Outcome"/> is set when it has ended.</summary>
public sealed record DrainProgress(IReadOnlyList<InstanceRef> Instances, string TargetGroups, int Registrations, int StillDraining, TimeSpan Waited, TimeSpan Bound, string? Outcome = null)
{
    public bool Done => Outcome is not null;

    public string Describe() => Outcome ?? (StillDraining == 0 || Waited == TimeSpan.Zero
        ? $"Draining {Registrations} registration(s) from {TargetGroups} (up to {Bound.TotalSeconds:0} s)…"
        : $"Draining from {TargetGroups}: {StillDraining} of {Registrations} still draining after {Waited.TotalSeconds:0} s of up to {Bound.TotalSeconds:0} s…");
}

/// <summary>Told how a drain goes (the instance's page, a Telegram message being edited).</summary>
public interface IDrainProgress
{
    Task ReportAsync(DrainProgress progress, CancellationToken cancellationToken = default);
}

public sealed class SilentDrainProgress : IDrainProgress
{
    public Task ReportAsync(DrainProgress progress, CancellationToken cancellationToken = default) => Task.CompletedTask;
}
