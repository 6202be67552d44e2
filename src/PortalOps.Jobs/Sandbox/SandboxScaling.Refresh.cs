using PortalOps.Domain.Scaling;

namespace PortalOps.Jobs.Sandbox;

/// <summary>
/// Instance refresh in the Sandbox, as Auto Scaling does it: Pending for <see cref="RefreshStartDelay"/>, then instances replaced in
/// batches of (100 − minimum healthy)% of the group (at least one): each old instance is terminated, its replacement launched, and
/// the batch counts once the replacements are in service and warmed up (the warm-up asked for, at most <see cref="MaxSimulatedWarmup"/>
/// so a refresh takes minutes rather than hours). A cancel goes through Cancelling to Cancelled; the flaky group's refresh fails when
/// its launches fail. With SkipMatching nothing is replaced, since every simulated instance already runs the group's template version.
/// </summary>
public sealed partial class SandboxScaling
{
    public static readonly TimeSpan RefreshStartDelay = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxSimulatedWarmup = TimeSpan.FromSeconds(60);

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
                r.End(InstanceRefreshStatus.Failed, now, "Instance refresh failed: a replacement instance could not be launched (InsufficientInstanceCapacity).");
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
        }

        r.ToReplace.RemoveAll(id => !s.Instances.Any(i => i.Id == id && i.Lifecycle is LifecycleState.InService or LifecycleState.Pending));
        if (r.ToReplace.Count == 0)
        {
            r.End(InstanceRefreshStatus.Successful, now, null);
            return;
        }

        var active = s.Instances.Count(i => i.Lifecycle is LifecycleState.InService or LifecycleState.Pending);
        var size = Math.Max(1, active * (100 - r.Request.MinHealthyPercentage) / 100);
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

        public bool Running => Status is InstanceRefreshStatus.Pending or InstanceRefreshStatus.InProgress or InstanceRefreshStatus.Cancelling;

        public void End(InstanceRefreshStatus status, DateTimeOffset at, string? reason) => (Status, EndedAt, Reason) = (status, at, reason);

        public InstanceRefresh Snapshot() => new(
            Id, Status, StartedAt, EndedAt,
            Status == InstanceRefreshStatus.Successful ? 100 : Total == 0 ? 0 : Done * 100 / Total,
            Status == InstanceRefreshStatus.Successful ? 0 : ToReplace.Count + Batch.Count)
        {
            StatusReason = Reason,
            MinHealthyPercentage = Request.MinHealthyPercentage,
            InstanceWarmupSeconds = Request.InstanceWarmupSeconds,
            SkipMatching = Request.SkipMatching,
        };
    }
}
