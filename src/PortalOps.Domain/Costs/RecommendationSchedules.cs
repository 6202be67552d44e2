using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Scaling;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Costs;

/// <summary>
/// The other remedy for an idle instance: rather than stop it, attach an off-hours schedule, so that it runs only in the schedule's
/// periods. One press submits one tag edit (<see cref="ActionKind.EditTags"/>: <c>&lt;TagKey&gt;=&lt;schedule name&gt;</c>) through
/// the action pipeline, where it waits for approval like every applied recommendation; the recommendation is then marked applied and
/// its saving (the hours the schedule keeps the instance off) tracked. Checked first, and refused with the reason before anything is
/// submitted: the schedule must exist, be on, be visible to the person and act where the instance is; the instance must not follow
/// another schedule already.
/// </summary>
public sealed class RecommendationSchedules(
    ICostRecommendationStore store,
    IOffHoursStore schedules,
    OffHoursSettings settings,
    IInventory inventory,
    ActionPipeline pipeline,
    TimeProvider clock,
    ISavingsStore? savings = null)
{
    /// <summary>The tag whose value names an instance's schedule.</summary>
    public string TagKey => settings.TagKey;

    /// <summary>
    /// The schedules this person may attach to the recommendation's instance: switched on, visible to them (as on the Off-hours page)
    /// and acting in the instance's account and region. Empty when the recommendation is not theirs to see or has no schedule remedy.
    /// </summary>
    public async Task<IReadOnlyList<SavedSchedule>> ChoicesAsync(Actor actor, Recommendation recommendation, CancellationToken cancellationToken = default)
    {
        if (!recommendation.Schedulable || !Authorizer.MaySee(actor, recommendation.Footprint))
        {
            return [];
        }

        var scope = Authorizer.ReadScopeOf(actor);
        return (await schedules.ListAsync(cancellationToken))
            .Where(s => s.Content.Enabled && scope.Covers(s.FootprintFor(TagKey)) && ActsIn(s, recommendation.Resource))
            .OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>
    /// Submits the tag edit that attaches <paramref name="scheduleName"/> to the instance of the recommendation <paramref name="key"/>.
    /// </summary>
    public async Task<ActionResult> AttachAsync(Actor actor, string key, string? scheduleName, CancellationToken cancellationToken = default)
    {
        var view = await store.FindAsync(key, cancellationToken);
        if (view is null || !Authorizer.MaySee(actor, view.Recommendation.Footprint))
        {
            return new ActionResult(ActionStatus.NotFound, "No such recommendation.");
        }

        var recommendation = view.Recommendation;
        if (!recommendation.Schedulable)
        {
            return new ActionResult(ActionStatus.Refused, $"{Recommendation.Label(recommendation.Kind)} recommendations are not remedied with an off-hours schedule.");
        }

        if (!actor.IsAtLeast(ActionKind.EditTags.MinimumRole))
        {
            return new ActionResult(ActionStatus.Refused, $"Attaching an off-hours schedule needs the {ActionKind.EditTags.MinimumRole} role; {actor.Name} is {actor.Role}.");
        }

        if (view.AppliedAt is not null)
        {
            // A second press (a double click, a chat button pressed twice) asks nothing more.
            return new ActionResult(ActionStatus.Refused, $"This recommendation was applied already: {view.AppliedSummary}");
        }

        if (string.IsNullOrWhiteSpace(scheduleName))
        {
            return new ActionResult(ActionStatus.Refused, "Choose an off-hours schedule to attach.");
        }

        var name = scheduleName.Trim();
        var scope = Authorizer.ReadScopeOf(actor);
        var schedule = (await schedules.ListAsync(cancellationToken))
            .FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase) && scope.Covers(s.FootprintFor(TagKey)));
        if (schedule is null)
        {
            // A schedule outside the person's scope reads the same as a missing one.
            return new ActionResult(ActionStatus.NotFound, $"There is no off-hours schedule called {name}.");
        }

        if (!schedule.Content.Enabled)
        {
            return new ActionResult(ActionStatus.Refused, $"Schedule {schedule.Name} is switched off; switch it on on the Off-hours page first.");
        }

        var resource = recommendation.Resource;
        if (!ActsIn(schedule, resource))
        {
            return new ActionResult(ActionStatus.Refused,
                $"Schedule {schedule.Name} acts in {schedule.Content.AccountId ?? "any account"}/{schedule.Content.Region ?? "any region"}; {resource.InstanceId} is in {resource.AccountId}/{resource.Region}.");
        }

        // The instance as it is now, not as the scan saw it.
        var instance = await inventory.FindAsync(resource, cancellationToken);
        if (instance is null || instance.State == InstanceState.Terminated)
        {
            return new ActionResult(ActionStatus.NotFound, $"Instance {resource.InstanceId} was not found in {resource.AccountId}/{resource.Region}.");
        }

        if (!Authorizer.MaySee(actor, instance))
        {
            return new ActionResult(ActionStatus.Refused, $"{resource.InstanceId} is outside {actor.Name}'s scope.");
        }

        if (instance.Tags.TryGetValue(TagKey, out var current) && !string.IsNullOrWhiteSpace(current))
        {
            return string.Equals(current.Trim(), schedule.Name, StringComparison.OrdinalIgnoreCase)
                ? new ActionResult(ActionStatus.Refused, $"{resource.InstanceId} follows schedule {schedule.Name} already ({TagKey}={current}); nothing to change.")
                : new ActionResult(ActionStatus.Refused,
                    $"{resource.InstanceId} follows another schedule, {current.Trim()} ({TagKey}={current}); change or remove that tag on the instance first.");
        }

        var request = new ActionRequest(ActionKind.EditTags, [resource], $"Cost recommendation: attach off-hours schedule {schedule.Name} to idle {Named(recommendation)}")
        {
            Parameters = new Dictionary<string, string>(InstanceSettingsExecutor.TagChanges(new Dictionary<string, string> { [TagKey] = schedule.Name }, []))
            {
                [InstanceSettingsExecutor.ExpectTagPrefix + TagKey] = schedule.Name,
            },
            RequireApproval = CostRecommendations.ApprovalRule,
        };
        var result = await pipeline.SubmitAsync(actor, request, cancellationToken);
        if (result.IsSuccess)
        {
            var now = clock.GetUtcNow();
            await store.MarkAppliedAsync(key, $"Off-hours schedule {schedule.Name}: {result.Message}", now, cancellationToken);
            if (savings is not null)
            {
                // Realized savings count from when the approved tag edit completes (SavingsTracker).
                await savings.AddAsync(SavingOf(recommendation, schedule, result.ApprovalId, actor.Name, now), cancellationToken);
            }
        }

        return result;
    }

    /// <summary>
    /// What attaching the schedule saves: the instance's monthly price before (an idle instance's recommendation saves all of it, at
    /// the prices of the scan that found it), and the share of it the schedule still runs after (its running hours over the next four
    /// weeks).
    /// </summary>
    public static AppliedSaving SavingOf(Recommendation recommendation, SavedSchedule schedule, Guid? approvalId, string requestedBy, DateTimeOffset at)
    {
        var before = recommendation.MonthlySaving;
        var after = before * (decimal)OffHoursPlanner.RunningShare(schedule.Schedule, at);
        return new AppliedSaving(approvalId ?? Guid.CreateVersion7(at), recommendation.Key, recommendation.Kind, recommendation.Resource, recommendation.ResourceName,
            recommendation.Tags, $"Attach off-hours schedule {schedule.Name} to {Named(recommendation)}", decimal.Round(before, 2), decimal.Round(after, 2), approvalId, at,
            requestedBy, approvalId is null ? SavingState.Realized : SavingState.Pending, approvalId is null ? at : null, null);
    }

    private static bool ActsIn(SavedSchedule schedule, InstanceRef instance) =>
        (string.IsNullOrEmpty(schedule.Content.AccountId) || schedule.Content.AccountId == instance.AccountId)
        && (string.IsNullOrEmpty(schedule.Content.Region) || schedule.Content.Region == instance.Region);

    private static string Named(Recommendation r) => string.IsNullOrEmpty(r.ResourceName) ? r.ResourceId : r.ResourceName;
}
