using System.Globalization;
using System.Text.Json;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Costs;

/// <summary>The words for a tag key that cannot group spend, shared by the spend view and the budget form.</summary>
public static class CostAllocationTags
{
    public static string NotActive(string tagKey, IReadOnlyList<string> active) =>
        $"'{tagKey}' is not an active cost-allocation tag ({(active.Count == 0 ? "none is active" : "active: " + string.Join(", ", active))}). " +
        "Activate it in the Billing console under Cost allocation tags (or with ce:UpdateCostAllocationTagsStatus); Cost Explorer groups spend by it from then on, not back-filled.";
}

/// <summary>
/// Budget changes a person asks for, through the one action pipeline (authorized on the budget's scope, audited, approved when a rule asks).
/// The draft is checked first — an amount of 0 or less, an unknown account, a tag key that is not an active cost-allocation tag — and
/// refused at the field with nothing submitted.
/// </summary>
public sealed class BudgetActions(IBudgetStore store, ISpendSource spend, ICloudProvider cloud, ActionPipeline pipeline)
{
    public const string BudgetParameter = "budget";
    public const string VersionParameter = "version";
    public const string AuthorParameter = "author";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Budgets the person may see (their scope covers the budget's whole account, or its tag in it), by name.</summary>
    public Task<IReadOnlyList<Budget>> ListAsync(Actor actor, CancellationToken cancellationToken = default) =>
        store.ListAsync(Authorizer.ReadScopeOf(actor), cancellationToken);

    /// <summary>Submits the budget for the draft's scope (new, or the next version of the one there); throws <see cref="BudgetDraftException"/> first when a field is wrong.</summary>
    public async Task<ActionResult> SaveAsync(Actor actor, BudgetDraft draft, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var problems = new Dictionary<string, string>(draft.Problems(cloud.Accounts.Select(a => a.Id)), StringComparer.Ordinal);
        var scope = draft.Scope;
        if (!problems.ContainsKey(BudgetDraft.TagField) && !problems.ContainsKey(BudgetDraft.AccountField) && scope.TagKey is { } key)
        {
            var accounts = scope.Account == Scope.Any ? cloud.Accounts.Select(a => a.Id).ToList() : [scope.Account];
            var active = await spend.CostAllocationTagsAsync(accounts, cancellationToken);
            if (!active.Contains(key, StringComparer.Ordinal))
            {
                problems[BudgetDraft.TagField] = CostAllocationTags.NotActive(key, active);
            }
        }

        if (problems.Count > 0)
        {
            throw new BudgetDraftException(problems);
        }

        var current = await store.FindAsync(scope.Key, cancellationToken);
        var version = (current?.Version ?? 0) + 1;
        return await pipeline.SubmitAsync(actor, new ActionRequest(ActionKind.SaveBudget, [scope.Target], $"Budget {draft.Name?.Trim()} for {scope}: {BudgetCrossing.Money(draft.MonthlyAmount!.Value)} a month")
        {
            Parameters = new Dictionary<string, string>
            {
                [BudgetParameter] = JsonSerializer.Serialize(draft, Json),
                [VersionParameter] = version.ToString(CultureInfo.InvariantCulture),
                [AuthorParameter] = actor.Name,
            },
            IdempotencyKey = idempotencyKey,
        }, cancellationToken);
    }

    public Task<ActionResult> DeleteAsync(Actor actor, Budget budget, string idempotencyKey, CancellationToken cancellationToken = default) =>
        pipeline.SubmitAsync(actor, new ActionRequest(ActionKind.DeleteBudget, [budget.Scope.Target], $"Remove budget {budget.Name}") { IdempotencyKey = idempotencyKey }, cancellationToken);
}

/// <summary>
/// Carries out budget changes once the pipeline authorized them. Saving checks the version asked for, so running an approved request twice
/// saves once and a change made against an older version is refused.
/// </summary>
public sealed class BudgetActionExecutor(IBudgetStore store, TimeProvider clock) : IActionExecutor
{
    public bool CanExecute(ActionKind kind) => kind == ActionKind.SaveBudget || kind == ActionKind.DeleteBudget;

    public async Task<ResolvedTarget?> ResolveAsync(ActionKind kind, InstanceRef target, CancellationToken cancellationToken)
    {
        if (BudgetScope.FromTarget(target) is not { } scope)
        {
            return null;
        }

        var budget = await store.FindAsync(scope.Key, cancellationToken);
        if (budget is null && kind == ActionKind.DeleteBudget)
        {
            return null;
        }

        return new ResolvedTarget(target, budget?.Name ?? $"budget for {scope}", scope.Tags);
    }

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        var scope = BudgetScope.FromTarget(targets.Single().Ref) ?? throw new DomainException("Not a budget.");
        if (kind == ActionKind.DeleteBudget)
        {
            return await store.DeleteAsync(scope.Key, cancellationToken)
                ? new ActionExecution(true, $"Budget for {scope} removed.", null)
                : new ActionExecution(true, $"Budget for {scope} was already removed.", null);
        }

        var draft = JsonSerializer.Deserialize<BudgetDraft>(parameters.GetValueOrDefault(BudgetActions.BudgetParameter) ?? "null", BudgetActions.Json)
            ?? throw new DomainException("The request carries no budget.");
        var version = int.Parse(parameters[BudgetActions.VersionParameter], CultureInfo.InvariantCulture);
        if (draft.Scope != scope || draft.MonthlyAmount is not > 0 || BudgetDraft.ParseThresholds(draft.Thresholds, out var error) is not { } thresholds)
        {
            return new ActionExecution(false, "The budget in the request does not match its scope or is not valid.", null);
        }

        var current = await store.FindAsync(scope.Key, cancellationToken);
        if (current is not null && current.Version >= version)
        {
            return current.Version == version
                ? new ActionExecution(true, $"Budget {current.Name} v{current.Version} was already saved.", null)
                : new ActionExecution(false, $"Budget {current.Name} is at v{current.Version} already; this change was made for v{version - 1}. Edit it again.", null);
        }

        if ((current?.Version ?? 0) != version - 1)
        {
            return new ActionExecution(false, "The budget changed or disappeared since this edit was asked for. Edit it again.", null);
        }

        var budget = new Budget(scope, draft.Name!.Trim(), draft.MonthlyAmount.Value, thresholds, draft.AlertOnForecast, version,
            parameters.GetValueOrDefault(BudgetActions.AuthorParameter) ?? "unknown", clock.GetUtcNow());
        return await store.SaveAsync(budget, cancellationToken)
            ? new ActionExecution(true, $"Budget {budget.Name} for {scope}: {BudgetCrossing.Money(budget.MonthlyAmount)} a month, alerts at {string.Join("/", thresholds)} %{(budget.AlertOnForecast ? " of actual and forecast spend" : " of actual spend")}.", null)
            : new ActionExecution(false, "The budget changed since this edit was asked for. Edit it again.", null);
    }
}
