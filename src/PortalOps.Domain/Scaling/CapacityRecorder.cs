using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Scaling;

/// <summary>What one recording did.</summary>
public sealed record CapacityRecording(int Groups, int NewSamples, int FailedLaunches, IReadOnlyList<string> Problems);

/// <summary>
/// Records every group's capacity at a moment floored to the interval (so two runs in one interval, on any node, keep one sample),
/// and tells the Operators who may see a group when it failed to launch: only groups short of their desired capacity are asked for
/// their recent activities, and each failed launch is announced once (its activity id is claimed in the <see cref="IActionLedger"/>).
/// </summary>
public sealed class CapacityRecorder(IScaling scaling, ICapacityHistory history, IActionLedger ledger, INotifier notifier, IUserStore users, TimeProvider clock)
{
    public const string LaunchFailedKind = "scaling.launch-failed";

    /// <summary>How far back a failed launch is still news.</summary>
    public static readonly TimeSpan FailureWindow = TimeSpan.FromHours(1);

    public async Task<CapacityRecording> RecordAsync(TimeSpan interval, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var at = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % interval.Ticks), TimeSpan.Zero);
        var listing = await scaling.ListGroupsAsync(cancellationToken);
        var added = await history.RecordAsync(listing.Groups.Select(g => CapacitySample.Of(g, at)).ToList(), cancellationToken);

        var failed = 0;
        IReadOnlyList<PortalUser>? people = null;
        foreach (var group in listing.Groups.Where(g => g.InService + g.Pending < g.DesiredCapacity))
        {
            var activities = await scaling.ActivitiesAsync(group.Ref, 10, cancellationToken);
            foreach (var activity in activities.Where(a => a.IsFailedLaunch && now - a.StartedAt <= FailureWindow))
            {
                if (await ledger.TryClaimAsync($"{LaunchFailedKind}:{group.Ref}:{activity.ActivityId}", LaunchFailedKind, now, cancellationToken) is not null)
                {
                    continue;
                }

                people ??= await users.ListAsync(cancellationToken);
                var recipients = people
                    .Where(u => !u.IsDisabled && u.Role >= Role.Operator && Authorizer.MaySee(u.AsActor(Channel.System), group.Footprint))
                    .Select(u => u.Id)
                    .ToList();
                await notifier.NotifyAsync(new Notification(
                    NotificationKind.Alert,
                    $"Auto Scaling group {group.Name} failed to launch",
                    $"{group.Ref}: {group.InService} in service of {group.DesiredCapacity} desired. {activity.StatusMessage ?? activity.Description}",
                    recipients), cancellationToken);
                await ledger.CompleteAsync($"{LaunchFailedKind}:{group.Ref}:{activity.ActivityId}", new ActionExecution(true, "notified", null), now, cancellationToken);
                failed++;
            }
        }

        return new CapacityRecording(listing.Groups.Count, added, failed, listing.Problems);
    }
}
