using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Costs;

/// <summary>
/// What a person does with recommendations: read those their scope covers, dismiss one with a reason and an expiry (an Operator
/// who may see it), and apply one through the action pipeline, where it always waits for approval.
/// </summary>
public sealed class CostRecommendations(ICostRecommendationStore store, ActionPipeline pipeline, ResizeCheck resizeCheck, TimeProvider clock, ISavingsStore? savings = null)
{
    /// <summary>The approval rule name a recommendation's action waits under.</summary>
    public const string ApprovalRule = "Cost recommendation";

    public Task<Page<RecommendationView>> QueryAsync(Actor actor, RecommendationQuery query, CancellationToken cancellationToken = default) =>
        store.QueryAsync(query with { VisibleTo = Authorizer.ReadScopeOf(actor), Now = clock.GetUtcNow() }, cancellationToken);

    public Task<SavingsTotals> TotalsAsync(Actor actor, CancellationToken cancellationToken = default) =>
        store.TotalsAsync(Authorizer.ReadScopeOf(actor), clock.GetUtcNow(), cancellationToken);

    /// <summary>The recommendation if this person may see it.</summary>
    public async Task<RecommendationView?> FindAsync(Actor actor, string key, CancellationToken cancellationToken = default)
    {
        var view = await store.FindAsync(key, cancellationToken);
        return view is not null && Authorizer.MaySee(actor, view.Recommendation.Footprint) ? view : null;
    }

    public async Task<ActionResult> DismissAsync(Actor actor, string key, string? reason, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        var view = await FindAsync(actor, key, cancellationToken);
        if (view is null)
        {
            return new ActionResult(ActionStatus.NotFound, "No such recommendation.");
        }

        if (!actor.IsAtLeast(Role.Operator))
        {
            return new ActionResult(ActionStatus.Refused, "Dismissing a recommendation needs the Operator role.");
        }

        try
        {
            await store.DismissAsync(Dismissal.Create(key, reason, until, actor.UserId, actor.Name, clock.GetUtcNow()), cancellationToken);
        }
        catch (CostRuleException e)
        {
            return new ActionResult(ActionStatus.Refused, e.Message);
        }

        return new ActionResult(ActionStatus.Executed, $"Dismissed until {until:yyyy-MM-dd}.");
    }

    /// <summary>Submits the recommendation's action; the pipeline authorizes it and it waits for approval.</summary>
    public Task<ActionResult> ApplyAsync(Actor actor, string key, CancellationToken cancellationToken = default) =>
        ApplyAsync(actor, key, ResizeTiming.Now, null, cancellationToken);

    /// <summary>
    /// As <see cref="ApplyAsync(Actor, string, CancellationToken)"/>; a resize runs, once approved, <paramref name="timing"/>: at once,
    /// not before <paramref name="notBefore"/>, or in the next maintenance window covering the instance.
    /// </summary>
    public async Task<ActionResult> ApplyAsync(Actor actor, string key, ResizeTiming timing, DateTimeOffset? notBefore, CancellationToken cancellationToken = default)
    {
        var view = await FindAsync(actor, key, cancellationToken);
        if (view is null)
        {
            return new ActionResult(ActionStatus.NotFound, "No such recommendation.");
        }

        var recommendation = view.Recommendation;
        if (!recommendation.Applicable)
        {
            return new ActionResult(ActionStatus.Refused, $"{Recommendation.Label(recommendation.Kind)} is a decision PortalOps does not take for you: {recommendation.Evidence.LastOrDefault()}");
        }

        if (recommendation.Action == ActionKind.ResizeInstances
            && await resizeCheck.RefusalAsync(recommendation.Resource, recommendation.TargetType, cancellationToken) is { } refusal)
        {
            return new ActionResult(ActionStatus.Refused, refusal);
        }

        var request = recommendation.ToRequest() with { RequireApproval = ApprovalRule };
        if (recommendation.Action == ActionKind.ResizeInstances && timing != ResizeTiming.Now)
        {
            if (timing == ResizeTiming.At && (notBefore is null || notBefore <= clock.GetUtcNow()))
            {
                return new ActionResult(ActionStatus.Refused, "Choose a time in the future for the resize.");
            }

            var parameters = new Dictionary<string, string>(request.Parameters)
            {
                [ResizeParameters.When] = timing == ResizeTiming.At ? "at" : "window",
            };
            if (notBefore is { } at)
            {
                parameters[ResizeParameters.NotBefore] = at.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            }

            request = request with { Parameters = parameters };
        }

        var result = await pipeline.SubmitAsync(actor, request, cancellationToken);
        if (result.IsSuccess)
        {
            await store.MarkAppliedAsync(key, result.Message, clock.GetUtcNow(), cancellationToken);
            if (savings is not null)
            {
                // Realized savings count from when the approved action completes (SavingsTracker).
                await savings.AddAsync(AppliedSaving.Of(recommendation, result.ApprovalId, actor.Name, clock.GetUtcNow()), cancellationToken);
            }
        }

        return result;
    }
}
