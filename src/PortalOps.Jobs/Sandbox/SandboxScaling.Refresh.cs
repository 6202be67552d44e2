using PortalOps.Domain.Scaling;

namespace PortalOps.Jobs.Sandbox;

/// <summary>
/// Instance refresh in the Sandbox, as Auto Scaling does it: Pending for <see cref="RefreshStartDelay"/>, then instances replaced in
/// batches of (100 − minimum healthy)% of the group (at least one): each old instance is terminated, its replacement launched, and
/// the batch counts once the replacements are in service and warmed up (the warm-up asked for, at most <see cref="MaxSimulatedWarmup"/>
/// so a refresh takes minutes rather than hours). A cancel goes through Cancelling to Cancelled; the flaky group's refresh fails when
/// its launches fail. With SkipMatching nothing is replaced, since every simulated instance already runs the group's template version.
/// Checkpoints pace the batches so that no batch passes a checkpoint, and the refresh waits at each one below 100% for the checkpoint
/// delay (at most <see cref="MaxSimulatedCheckpointDelay"/>), InProgress with a status reason saying so, as AWS reports it. A rollback
/// (asked for, or by itself with auto rollback when the refresh fails) is RollbackInProgress while the replaced instances are put back
/// (<see cref="RollbackPerInstance"/> each, after <see cref="RefreshStartDelay"/>), then RollbackSuccessful; like AWS, only a refresh
/// that named a launch template version can be rolled back.
/// </summary>
public sealed partial class SandboxScaling
{
    public static readonly TimeSpan RefreshStartDelay = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxSimulatedWarmup = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan MaxSimulatedCheckpointDelay = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan RollbackPerInstance = TimeSpan.FromSeconds(15);

    public Task<IReadOnlyList<InstanceRefresh>> InstanceRefreshesAsync(GroupRef group, int max, CancellationToken cancellationToken = default) =>
        Read(group, s => (IReadOnlyList<InstanceRefresh>)s.Refreshes.OrderByDescending(r => r.StartedAt).Take(max).Select(r => r.Snapshot()).ToList(), []);

    public Task<string?> StartInstanceRefreshAsync(GroupRef group, InstanceRefreshRequest request, CancellationToken cancellationToken = default) =>
        Change(group, s =>
        {
            if (s.Refreshes.Any(r => r.Running))
            {
                throw new InvalidOperationException($"InstanceRefreshInProgress: An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.");
            }

            var now = clock.GetUtcNow();
            var replace = request.SkipMatching
                ? []
                : s.Instances.Where(i => i.Lifecycle is LifecycleState.InService or LifecycleState.Pending).Select(i => i.Id).ToList();
            s.Refreshes.Add(new Refresh(Guid.NewGuid().ToString(), request, now, replace));
        });

    public Task<string?> CancelInstanceRefreshAsync(GroupRef group, CancellationToken cancellationToken = default) =>
        Change(group, s =>
        {
            var running = s.Refreshes.FirstOrDefault(r => r.Running)
                ?? throw new InvalidOperationException($"ActiveInstanceRefreshNotFound: No in progress or pending Instance Refresh found for Auto Scaling group {group.Name}");
            running.Status = InstanceRefreshStatus.Cancelling;
            running.CancelledAt = clock.GetUtcNow();
        });

    public Task<string?> RollbackInstanceRefreshAsync(GroupRef group, CancellationToken cancellationToken = default) =>
        Change(group, s =>
        {
            var running = s.Refreshes.FirstOrDefault(r => r.Running && r.Status is not InstanceRefreshStatus.Cancelling and not InstanceRefreshStatus.RollbackInProgress)
                ?? throw new InvalidOperationException($"ActiveInstanceRefreshNotFound: No in progress or pending Instance Refresh found for Auto Scaling group {group.Name}");
            if (running.Request.LaunchTemplateVersion is null)
            {
                throw new InvalidOperationException("IrreversibleInstanceRefresh: The instance refresh has no desired configuration to roll back from.");
            }

            running.BeginRollback(clock.GetUtcNow(), "The instance refresh is being rolled back by a user request.");
        });

    // Under the lock, from Reconcile: moves the running refresh on, before missing capacity is launched.
    private void StepRefresh(State s, DateTimeOffset now)
    {
        if (s.Refreshes.FirstOrDefault(r => r.Running) is not { } r)
        {
            return;
        }

        if (r.Status == InstanceRefreshStatus.Cancelling)
        {
            if (now - r.CancelledAt >= RefreshStartDelay)
            {
                r.End(InstanceRefreshStatus.Cancelled, now, "The instance refresh was cancelled by a user request.");
            }

            return;
        }

        if (r.Status == InstanceRefreshStatus.RollbackInProgress)
        {
            if (now - r.RollbackStartedAt >= RefreshStartDelay + (RollbackPerInstance * r.Done))
            {
                // The replacements are put back on the configuration the group had before.
                foreach (var member in s.Instances)
                {
                    member.Version = null;
                }

                r.End(InstanceRefreshStatus.RollbackSuccessful, now, "The instance refresh was rolled back; the group is on its previous configuration.");
            }

            return;
        }

        if (r.PausedUntil is { } paused)
        {
            if (now < paused)
            {
                return;
            }

            (r.PausedUntil, r.Reason) = (null, null);
        }

        if (r.Status == InstanceRefreshStatus.Pending)
        {
            if (now - r.StartedAt < RefreshStartDelay)
            {
                return;
            }

            r.Status = InstanceRefreshStatus.InProgress;
        }

        if (r.Batch.Count > 0)
        {
            if (s.Ref.Name == FlakyGroup && LaunchFailsAt(now))
            {
                const string failed = "Instance refresh failed: a replacement instance could not be launched (InsufficientInstanceCapacity).";
                if (r.Request.AutoRollback && r.Request.LaunchTemplateVersion is not null)
                {
                    r.BeginRollback(now, failed + " Rolling back by itself (auto rollback).");
                }
                else
                {
                    r.End(InstanceRefreshStatus.Failed, now, failed);
                }

                return;
            }

            var warmup = TimeSpan.FromSeconds(Math.Min(r.Request.InstanceWarmupSeconds ?? MaxSimulatedWarmup.TotalSeconds, MaxSimulatedWarmup.TotalSeconds));
            var oldGone = r.Batch.All(id => s.Instances.All(i => i.Id != id));
            var replacements = s.Instances.Where(i => i.Lifecycle is LifecycleState.Pending or LifecycleState.InService && i.Since >= r.BatchStartedAt && !r.Original.Contains(i.Id)).ToList();
            var warmed = replacements.Count >= r.Batch.Count && replacements.All(i => i.Lifecycle == LifecycleState.InService && now - i.Since >= warmup);
            if (!oldGone || !warmed)
            {
                return;
            }

            r.Done += r.Batch.Count;
            r.Batch.Clear();
            if (r.NextCheckpoint() is { } reached && reached < 100 && r.Done * 100 >= reached * r.Total)
            {
                r.CheckpointsPassed++;
                var delay = TimeSpan.FromSeconds(Math.Min(r.Request.CheckpointDelaySeconds ?? 3600, MaxSimulatedCheckpointDelay.TotalSeconds));
                r.PausedUntil = now + delay;
                r.Reason = $"Waiting at checkpoint {reached}% ({r.Done} of {r.Total} instance(s) replaced) until {r.PausedUntil:yyyy-MM-dd HH:mm:ss} UTC.";
                return;
            }
        }

        r.ToReplace.RemoveAll(id => !s.Instances.Any(i => i.Id == id && i.Lifecycle is LifecycleState.InService or LifecycleState.Pending));
        if (r.ToReplace.Count == 0)
        {
            if (r.Request.LaunchTemplateVersion is { } desired)
            {
                // AWS moves the group to the desired configuration once the refresh succeeds.
                s.TemplateVersion = desired;
                foreach (var member in s.Instances)
                {
                    member.Version = null;
                }
            }

            r.End(InstanceRefreshStatus.Successful, now, null);
            return;
        }

        var active = s.Instances.Count(i => i.Lifecycle is LifecycleState.InService or LifecycleState.Pending);
        var size = Math.Max(1, active * (100 - r.Request.MinHealthyPercentage) / 100);
        if (r.NextCheckpoint() is { } checkpoint)
        {
            // Never past the next checkpoint: AWS replaces fewer rather than more to land on it.
            var upTo = (int)Math.Ceiling(checkpoint * r.Total / 100.0);
            size = Math.Min(size, Math.Max(1, upTo - r.Done));
        }

        foreach (var id in r.ToReplace.Take(size).ToList())
        {
            var member = s.Instances.First(i => i.Id == id);
            member.Lifecycle = LifecycleState.Terminating;
            member.Since = now;
            member.ActivityId = NextId("act");
            s.Activities.Add(new ScalingActivity(member.ActivityId, $"Terminating EC2 instance: {id}", $"At {now:u} an instance was taken out of service in response to an instance refresh ({r.Id}).", ActivityStatus.InProgress, now, null));
            r.Batch.Add(id);
            r.ToReplace.Remove(id);
        }

        r.BatchStartedAt = now;
    }

    // Under the lock: the version a launch uses now — a running refresh's desired version, else the group's own (null).
    private static string? LaunchVersion(State s) =>
        s.Refreshes.FirstOrDefault(r => r.Status == InstanceRefreshStatus.InProgress)?.Request.LaunchTemplateVersion;

    private sealed class Refresh(string id, InstanceRefreshRequest request, DateTimeOffset startedAt, List<string> replace)
    {
        public string Id { get; } = id;
        public InstanceRefreshRequest Request { get; } = request;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public HashSet<string> Original { get; } = [.. replace];
        public List<string> ToReplace { get; } = replace;
        public List<string> Batch { get; } = [];
        public DateTimeOffset BatchStartedAt { get; set; }
        public int Total { get; } = replace.Count;
        public int Done { get; set; }
        public InstanceRefreshStatus Status { get; set; } = InstanceRefreshStatus.Pending;
        public string? Reason { get; set; }
        public DateTimeOffset? EndedAt { get; set; }
        public DateTimeOffset CancelledAt { get; set; }
        public DateTimeOffset RollbackStartedAt { get; set; }
        public DateTimeOffset? PausedUntil { get; set; }
        public int CheckpointsPassed { get; set; }

        public bool Running => Status is InstanceRefreshStatus.Pending or InstanceRefreshStatus.InProgress or InstanceRefreshStatus.Cancelling
            or InstanceRefreshStatus.RollbackInProgress or InstanceRefreshStatus.Baking;

        public int? NextCheckpoint() => CheckpointsPassed < Request.CheckpointPercentages.Count ? Request.CheckpointPercentages[CheckpointsPassed] : null;

        public void End(InstanceRefreshStatus status, DateTimeOffset at, string? reason) => (Status, EndedAt, Reason) = (status, at, reason);

        public void BeginRollback(DateTimeOffset at, string reason)
        {
            (Status, RollbackStartedAt, Reason, PausedUntil) = (InstanceRefreshStatus.RollbackInProgress, at, reason, null);
            Batch.Clear();
            ToReplace.Clear();
        }

        public InstanceRefresh Snapshot() => new(
            Id, Status, StartedAt, EndedAt,
            Status == InstanceRefreshStatus.Successful ? 100 : Total == 0 ? 0 : Done * 100 / Total,
            Status == InstanceRefreshStatus.Successful ? 0 : ToReplace.Count + Batch.Count)
        {
            StatusReason = Reason,
            MinHealthyPercentage = Request.MinHealthyPercentage,
            InstanceWarmupSeconds = Request.InstanceWarmupSeconds,
            SkipMatching = Request.SkipMatching,
            CheckpointPercentages = Request.CheckpointPercentages,
            CheckpointDelaySeconds = Request.CheckpointDelaySeconds,
            AutoRollback = Request.AutoRollback,
            DesiredLaunchTemplateVersion = Request.LaunchTemplateVersion,
        };
    }
}
