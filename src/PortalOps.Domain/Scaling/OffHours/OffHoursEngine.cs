using System.Globalization;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Scaling;

/// <summary>What one scheduler run did.</summary>
public sealed record OffHoursRun(int Evaluated, int Acted, int Recorded, int Warned, int Drift, int DriftAlerted, IReadOnlyList<string> Problems);

/// <summary>
/// One scheduler run: reads schedules, overrides, records and resources, plans (<see cref="OffHoursPlanner"/>), then for each step takes
/// its key in the store first (one run on one node wins it) and acts through the action pipeline as the schedule, with the key as the
/// idempotency key. A key taken by a run that stopped before recording the outcome is submitted again after
/// <see cref="RetryClaimedAfter"/>: the pipeline's ledger knows whether the cloud was called, so it still acts once.
/// </summary>
public sealed class OffHoursEngine(
    IOffHoursStore store,
    OffHoursSubjects subjects,
    OffHoursPlanner planner,
    ActionPipeline pipeline,
    IOffHoursAlerts alerts,
    IUserStore users,
    TimeProvider clock)
{
    public static readonly TimeSpan RetryClaimedAfter = TimeSpan.FromMinutes(5);

    /// <summary>How long records and overrides are kept (the planner looks back nine days).</summary>
    public static readonly TimeSpan Keep = TimeSpan.FromDays(30);

    public async Task<OffHoursRun> RunAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var schedules = await store.ListAsync(cancellationToken);
        var overrides = await store.OverridesEndingSinceAsync(now.AddDays(-8), cancellationToken);
        var records = await store.RecordsSinceAsync(now.AddDays(-9), cancellationToken);
        var (found, problems) = await subjects.ReadAsync(cancellationToken);
        var tick = planner.Plan(now, schedules, found, overrides, records);

        int acted = 0, recorded = 0, warned = 0;
        IReadOnlyList<PortalUser>? people = null;
        foreach (var step in tick.Steps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = new EdgeRecord(step.Key, step.Schedule?.Id, step.SourceName, step.Subject.Resource, step.At, step.Action,
                step.RecordOnly ?? EdgeOutcome.Claimed, step.Why, now) { Previous = step.Action == EdgeAction.Sleep ? step.Capacity : null };
            if (step.RecordOnly is not null)
            {
                recorded += await store.TryClaimAsync(record with { CompletedAt = now }, cancellationToken) ? 1 : 0;
                continue;
            }

            if (!await store.TryClaimAsync(record, cancellationToken))
            {
                var existing = await store.FindRecordAsync(step.Key, cancellationToken);
                if (existing is not { Outcome: EdgeOutcome.Claimed } || now - existing.ClaimedAt < RetryClaimedAfter || step.Action == EdgeAction.Warn)
                {
                    continue; // Another run has it, or it is done.
                }
            }

            if (step.Action == EdgeAction.Warn)
            {
                people ??= await users.ListAsync(cancellationToken);
                var limit = planner.Settings.RunningLimits.Where(l => l.Applies(step.Subject.Tags)).MinBy(l => l.Hours)?.ToString() ?? "running-time limit";
                await alerts.WarnAsync(new LimitWarning(step.Subject, step.StopsAt ?? step.At, limit, planner.Settings.KeepRunningFor), Recipients(people, step.Subject.Footprint), cancellationToken);
                await store.CompleteAsync(step.Key, EdgeOutcome.Done, step.Why, clock.GetUtcNow(), cancellationToken);
                warned++;
                continue;
            }

            var result = await pipeline.SubmitAsync(ActorFor(step), RequestFor(step), cancellationToken);
            var outcome = result.Status switch
            {
                ActionStatus.Executed => EdgeOutcome.Done,
                ActionStatus.PendingApproval => EdgeOutcome.Pending,
                _ => EdgeOutcome.Failed,
            };
            await store.CompleteAsync(step.Key, outcome, result.Message, clock.GetUtcNow(), CancellationToken.None);
            acted++;
        }

        var alerted = await AlertDriftAsync(tick.Drift, now, people, cancellationToken);
        if (now.Minute == 0)
        {
            await store.PruneAsync(now - Keep, cancellationToken);
        }

        return new OffHoursRun(tick.Evaluated, acted, recorded, warned, tick.Drift.Count, alerted, problems);
    }

    /// <summary>Who the scheduler acts as: the schedule (or the limit), with the rights of an Operator over everything, in the job channel.</summary>
    public static Actor ActorFor(PlannedStep step) =>
        new(Guid.Empty, step.Schedule is { } s ? $"off-hours schedule {s.Name}" : $"running-time limit ({step.Why.TrimEnd('.')})", Role.Operator, [Scope.Everything], Channel.Job);

    public static ActionRequest RequestFor(PlannedStep step)
    {
        var target = step.Subject.Resource.Ref;
        var reason = $"{step.Why} (edge {step.At.ToString("u", CultureInfo.InvariantCulture)})";
        return step.Action switch
        {
            EdgeAction.Stop or EdgeAction.LimitStop => new ActionRequest(ActionKind.StopInstances, [target], reason) { IdempotencyKey = step.Key },
            EdgeAction.Start => new ActionRequest(ActionKind.StartInstances, [target], reason) { IdempotencyKey = step.Key },
            EdgeAction.Sleep => new ActionRequest(ActionKind.SleepGroups, [target], reason)
            {
                IdempotencyKey = step.Key,
                Parameters = (step.Capacity ?? new CapacityChange(0, 0, 0)).ToParameters(),
            },
            EdgeAction.Wake => new ActionRequest(ActionKind.WakeGroups, [target], reason)
            {
                IdempotencyKey = step.Key,
                Parameters = step.Capacity!.ToParameters(),
            },
            _ => throw new ArgumentOutOfRangeException(nameof(step), step.Action, "Not an action step."),
        };
    }

    /// <summary>Operators and up whose scope covers the resource.</summary>
    private static IReadOnlyList<Guid> Recipients(IReadOnlyList<PortalUser> people, Footprint footprint) =>
        people.Where(u => !u.IsDisabled && u.Role >= Role.Operator && Authorizer.MaySee(u.AsActor(Channel.System), footprint)).Select(u => u.Id).ToList();

    /// <summary>Each new drift (per resource and edge) is told once: one message per person with the drifted resources they may see.</summary>
    private async Task<int> AlertDriftAsync(IReadOnlyList<DriftItem> drift, DateTimeOffset now, IReadOnlyList<PortalUser>? people, CancellationToken cancellationToken)
    {
        var fresh = new List<DriftItem>();
        foreach (var item in drift)
        {
            var record = new EdgeRecord(item.Key, null, item.ScheduleName, item.Subject.Resource, item.Since, EdgeAction.DriftAlert, EdgeOutcome.Done, item.Description, now) { CompletedAt = now };
            if (await store.TryClaimAsync(record, cancellationToken))
            {
                fresh.Add(item);
            }
        }

        if (fresh.Count == 0)
        {
            return 0;
        }

        people ??= await users.ListAsync(cancellationToken);
        foreach (var person in people.Where(u => !u.IsDisabled && u.Role >= Role.Operator))
        {
            var theirs = fresh.Where(d => Authorizer.MaySee(person.AsActor(Channel.System), d.Subject.Footprint)).ToList();
            if (theirs.Count > 0)
            {
                await alerts.DriftAsync(theirs, person.Id, cancellationToken);
            }
        }

        return fresh.Count;
    }
}
