using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Notifications;
using PortalOps.Jobs.Approvals;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Sandbox;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Approvals;

/// <summary>
/// PostgreSQL restarted (every session ended) while approved actions are being carried out: the runs caught by the restart fail
/// as jobs do, and what the recurring jobs then do — queue approved requests again, settle stranded ones — carries every request
/// out exactly once, with nothing left waiting or under way.
/// </summary>
[Trait("Category", "Peer")]
public sealed class PostgresRestartTests
{
    private static readonly AuditKey Key = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public async Task ApprovedActions_PostgresRestartedWhileTheyRun_EveryOneIsCarriedOutExactlyOnce()
    {
        var cluster = await PostgresCluster.StartPrivateAsync();
        try
        {
            await using var database = await TestDatabase.CreatePostgresAsync(cluster);
            var clock = new FakeTimeProvider(Builders.Epoch.AddMinutes(1));
            using var sandbox = new SandboxCloud(Options.Create(new SandboxOptions()), clock, new FleetEvents());
            var users = new EfUserStore(database.Contexts, database.Secrets);
            await Builders.AddPeopleAsync(users);
            var store = new EfApprovalStore(database.Contexts);
            var executor = new CountingExecutor();
            var scheduler = new QueueScheduler();
            var pipeline = new ActionPipeline(
                sandbox, [executor], new ApprovalPolicyProvider(Options.Create(new ApprovalOptions())), store, scheduler,
                new EfAuditLog(database.Contexts, clock, Key), new NoNotifier(), users, clock, new EfActionLedger(database.Contexts));

            var fleet = (await sandbox.QueryAsync(new InstanceQuery { PageSize = InstanceQuery.MaxPageSize })).Items.Where(i => i.State == InstanceState.Running).ToList();
            var ids = new List<Guid>();
            for (var i = 0; i < 150; i++)
            {
                var target = fleet[i % fleet.Count];
                var request = new ApprovalRequest(Guid.NewGuid(), ActionKind.RebootInstances, [new ResolvedTarget(target.Ref, target.Name, target.Tags)],
                    new Dictionary<string, string>(), Builders.Requester, "Reboots need approval", null, Builders.Epoch, TimeSpan.FromHours(1));
                request.Approve(Builders.Approver, null, Builders.Epoch.AddSeconds(30));
                await store.AddAsync(request);
                ids.Add(request.Id);
            }

            // Three job workers carry the requests out; the database restarts once a few are done.
            var queue = new ConcurrentQueue<Guid>(ids);
            var finished = 0;
            var failedRuns = 0;
            var workers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
            {
                while (queue.TryDequeue(out var id))
                {
                    try
                    {
                        if ((await pipeline.ExecuteApprovedAsync(id)).Status != ActionStatus.Executed)
                        {
                            Interlocked.Increment(ref failedRuns); // caught by the restart before its call: queued again
                        }
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref failedRuns); // a job that failed: Hangfire records it; the sweeper is the recovery
                    }

                    Interlocked.Increment(ref finished);
                }
            })).ToList();
            while (Volatile.Read(ref finished) < 6)
            {
                await Task.Delay(20);
            }

            // A restart can land while every worker is at a step that rides through it on retries; then it restarts again
            // (at most five times, a few runs apart) until one catches a run at a step that fails.
            var restarts = new List<string>();
            for (var attempt = 0; attempt < 5 && Volatile.Read(ref failedRuns) == 0 && Volatile.Read(ref finished) < ids.Count - 20; attempt++)
            {
                var atRestart = Volatile.Read(ref finished);
                var restartWatch = System.Diagnostics.Stopwatch.StartNew();
                await cluster.RestartAsync();
                restarts.Add($"finished {atRestart} before, {Volatile.Read(ref finished)} after a restart of {restartWatch.Elapsed.TotalMilliseconds:0} ms");
                for (var wait = 0; wait < 500 && Volatile.Read(ref failedRuns) == 0 && Volatile.Read(ref finished) < Math.Min(atRestart + 6, ids.Count); wait++)
                {
                    await Task.Delay(20);
                }
            }

            await Task.WhenAll(workers);

            // The recurring jobs, minute by minute: settle what a stopped run left under way, queue what waits, run the queue.
            for (var round = 0; round < 8 && !await AllFinishedAsync(store, ids); round++)
            {
                clock.Advance(TimeSpan.FromMinutes(3));
                await pipeline.RecoverStrandedAsync();
                await pipeline.SweepApprovedAsync();
                while (scheduler.Queued.TryDequeue(out var id))
                {
                    await pipeline.ExecuteApprovedAsync(id);
                }
            }

            var outcomes = new List<(Guid Id, ApprovalStatus Status, string? Outcome)>();
            foreach (var id in ids)
            {
                var request = (await store.FindAsync(id))!;
                outcomes.Add((id, request.Status, request.Outcome));
            }

            Assert.All(outcomes, o => Assert.True(o.Status == ApprovalStatus.Executed, $"{o.Id}: {o.Status} — {o.Outcome}"));
            Assert.All(ids, id => Assert.Equal(1, executor.CallsFor(id)));
            Assert.Equal(ids.Count, executor.Total);
            Assert.Equal(ids.Count, Volatile.Read(ref finished));

            // The restart did catch runs: those that began while the server was down failed before their call and were carried
            // out by the recovery (those already past their call rode through it on the retried writes).
            Assert.True(Volatile.Read(ref failedRuns) > 0, $"no restart caught a run ({string.Join("; ", restarts)})");
        }
        finally
        {
            cluster.StopPrivate();
        }
    }

    private static async Task<bool> AllFinishedAsync(EfApprovalStore store, IReadOnlyList<Guid> ids)
    {
        foreach (var id in ids)
        {
            if ((await store.FindAsync(id))!.Status is not (ApprovalStatus.Executed or ApprovalStatus.Failed))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Carries an action out by counting it per approval (the idempotency key), with a short wait as a cloud call has.</summary>
    private sealed class CountingExecutor : IActionExecutor
    {
        private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

        public int Total => _calls.Values.Sum();

        public int CallsFor(Guid approvalId) => _calls.GetValueOrDefault(approvalId.ToString("N"));

        public bool CanExecute(ActionKind kind) => true;

        public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
        {
            _calls.AddOrUpdate(idempotencyKey, 1, (_, n) => n + 1);
            await Task.Delay(20, CancellationToken.None);
            return new ActionExecution(true, $"Reboot accepted for {targets.Count} instance(s).", "req-" + idempotencyKey[..8]);
        }
    }

    private sealed class QueueScheduler : IActionScheduler
    {
        public ConcurrentQueue<Guid> Queued { get; } = new();

        public void EnqueueApproved(Guid approvalId) => Queued.Enqueue(approvalId);
    }

    private sealed class NoNotifier : INotifier
    {
        public Task NotifyAsync(Notification notification, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
