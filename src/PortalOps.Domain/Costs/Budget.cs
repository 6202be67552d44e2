using System.Globalization;
using System.Text;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Costs;

/// <summary>
/// What a budget covers: one account or every account (<see cref="Scope.Any"/>), all regions (a bill does not split by region), and
/// optionally one value of a cost-allocation tag (team=payments). One budget per scope.
/// </summary>
public sealed record BudgetScope(string Account, string? TagKey = null, string? TagValue = null)
{
    /// <summary>The region every budget covers: a bill is per account, so a budget is too.</summary>
    public const string AllRegions = Scope.Any;

    /// <summary>"123456789012", "*" or "123456789012 team=payments": the budget's identity.</summary>
    public string Key => TagKey is null ? Account : $"{Account} {TagKey}={TagValue}";

    public IReadOnlyDictionary<string, string> Tags =>
        TagKey is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal) { [TagKey] = TagValue ?? string.Empty };

    /// <summary>Where the budget's spend lies: only a scope with "*" for the region (and the account, for "*") covers it.</summary>
    public Footprint Footprint => Footprint.Of(Account, AllRegions, Tags);

    /// <summary>The pipeline's target for this budget: account, "*", and the tag condition in a form with no "/".</summary>
    public InstanceRef Target => new(Account, AllRegions, TagKey is null ? TargetPrefix : TargetPrefix + "." + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TagKey}\u001f{TagValue}")).TrimEnd('=').Replace('+', '-').Replace('/', '_'));

    public const string TargetPrefix = "budget";

    /// <summary>Reads <see cref="Target"/> back; null when it is not a budget target.</summary>
    public static BudgetScope? FromTarget(InstanceRef target)
    {
        if (target.Region != AllRegions)
        {
            return null;
        }

        if (target.InstanceId == TargetPrefix)
        {
            return new BudgetScope(target.AccountId);
        }

        if (!target.InstanceId.StartsWith(TargetPrefix + ".", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var b64 = target.InstanceId[(TargetPrefix.Length + 1)..].Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(b64));
            var at = text.IndexOf('\u001f', StringComparison.Ordinal);
            return at <= 0 ? null : new BudgetScope(target.AccountId, text[..at], text[(at + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Does this spend line's group (a tag value) belong to the budget? Tag values compare without case, as scopes do.</summary>
    public bool Matches(string tagValue) => TagValue is not null && string.Equals(tagValue, TagValue, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => (Account == Scope.Any ? "all accounts" : Account) + (TagKey is null ? string.Empty : $", {TagKey}={TagValue}");
}

/// <summary>Whether a threshold is judged on what was spent or on the month-end estimate.</summary>
public enum BudgetBasis
{
    Actual,
    Forecast,
}

/// <summary>A monthly budget (USD) for a scope, the percentages at which people are told, and whether the forecast counts too.</summary>
public sealed record Budget(BudgetScope Scope, string Name, decimal MonthlyAmount, IReadOnlyList<int> Thresholds, bool AlertOnForecast, int Version, string UpdatedBy, DateTimeOffset UpdatedAt)
{
    public static readonly IReadOnlyList<int> DefaultThresholds = [50, 80, 100];

    public string Key => Scope.Key;

    public Footprint Footprint => Scope.Footprint;
}

/// <summary>A budget's month: spent so far, the month-end estimate, and the thresholds that are crossed.</summary>
public sealed record BudgetStatus(Budget Budget, DateOnly Month, decimal Actual, decimal Forecast, string ForecastSource, DateTimeOffset AsOf)
{
    public decimal ActualPercent => Budget.MonthlyAmount <= 0 ? 0 : decimal.Round(Actual / Budget.MonthlyAmount * 100m, 1);

    public decimal ForecastPercent => Budget.MonthlyAmount <= 0 ? 0 : decimal.Round(Forecast / Budget.MonthlyAmount * 100m, 1);

    /// <summary>Every threshold crossed now, actual first; each fires once a month (<see cref="BudgetCrossing.AlertKey"/>).</summary>
    public IReadOnlyList<BudgetCrossing> Crossings()
    {
        var list = new List<BudgetCrossing>();
        foreach (var t in Budget.Thresholds.Distinct().Order())
        {
            if (Actual >= Budget.MonthlyAmount * t / 100m)
            {
                list.Add(new BudgetCrossing(this, t, BudgetBasis.Actual, Actual));
            }

            // A forecast threshold already passed by actual spend says nothing new.
            else if (Budget.AlertOnForecast && Forecast >= Budget.MonthlyAmount * t / 100m)
            {
                list.Add(new BudgetCrossing(this, t, BudgetBasis.Forecast, Forecast));
            }
        }

        return list;
    }
}

/// <summary>One threshold crossed in one month on one basis.</summary>
public sealed record BudgetCrossing(BudgetStatus Status, int Threshold, BudgetBasis Basis, decimal Amount)
{
    /// <summary>Names the crossing: the same budget, month, threshold and basis is the same alert, however often it is judged.</summary>
    public string AlertKey => $"budget|{Status.Budget.Key}|{Status.Month:yyyy-MM}|{Threshold}|{Basis}";

    public string Describe() => Basis == BudgetBasis.Actual
        ? $"{Status.Budget.Name}: {Money(Amount)} spent in {Status.Month:MMMM yyyy} is {Status.ActualPercent:0.#} % of the {Money(Status.Budget.MonthlyAmount)} budget (threshold {Threshold} %)"
        : $"{Status.Budget.Name}: {Status.Month:MMMM yyyy} is forecast to end at {Money(Amount)}, {Status.ForecastPercent:0.#} % of the {Money(Status.Budget.MonthlyAmount)} budget (threshold {Threshold} %)";

    internal static string Money(decimal amount) => amount.ToString("#,##0.00", CultureInfo.InvariantCulture) + " USD";
}

/// <summary>A budget as a person types it; <see cref="Problems"/> names each field that is wrong, so the page shows it at the field.</summary>
public sealed record BudgetDraft
{
    public const string NameField = "name";
    public const string AccountField = "account";
    public const string TagField = "tag";
    public const string AmountField = "amount";
    public const string ThresholdsField = "thresholds";

    public string? Name { get; init; }

    /// <summary>An account id, or "*" for every account.</summary>
    public string? Account { get; init; }

    public string? TagKey { get; init; }

    public string? TagValue { get; init; }

    public decimal? MonthlyAmount { get; init; }

    /// <summary>Percentages, comma-separated: "50, 80, 100".</summary>
    public string? Thresholds { get; init; } = "50, 80, 100";

    public bool AlertOnForecast { get; init; } = true;

    public BudgetScope Scope => new(Account?.Trim() ?? string.Empty, string.IsNullOrWhiteSpace(TagKey) ? null : TagKey.Trim(), string.IsNullOrWhiteSpace(TagKey) ? null : TagValue?.Trim());

    /// <summary>Field → why it is wrong; empty when the draft can be saved.</summary>
    public IReadOnlyDictionary<string, string> Problems(IEnumerable<string> accounts)
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        var name = Name?.Trim() ?? string.Empty;
        if (name.Length is < 2 or > 100)
        {
            problems[NameField] = "Name the budget (2 to 100 characters).";
        }

        var account = Account?.Trim() ?? string.Empty;
        if (account != Security.Scope.Any && !accounts.Contains(account, StringComparer.Ordinal))
        {
            problems[AccountField] = account.Length == 0 ? "Choose an account, or * for all of them." : $"'{account}' is not an account PortalOps manages.";
        }

        if (!string.IsNullOrWhiteSpace(TagKey) && string.IsNullOrWhiteSpace(TagValue))
        {
            problems[TagField] = $"Give the value of {TagKey.Trim()} the budget covers (for example payments).";
        }
        else if (TagKey is { Length: > 128 } || TagValue is { Length: > 256 })
        {
            problems[TagField] = "A tag key is at most 128 characters and a value 256.";
        }

        if (MonthlyAmount is not { } amount)
        {
            problems[AmountField] = "Give the monthly amount in USD.";
        }
        else if (amount <= 0)
        {
            problems[AmountField] = "A budget must be more than 0 USD a month.";
        }
        else if (amount > 100_000_000m)
        {
            problems[AmountField] = "A budget is at most 100,000,000 USD a month.";
        }

        if (ParseThresholds(Thresholds, out var error) is null)
        {
            problems[ThresholdsField] = error;
        }

        return problems;
    }

    /// <summary>"50, 80, 100" → [50, 80, 100]; null with the reason when a value is not a whole percentage from 1 to 200.</summary>
    public static IReadOnlyList<int>? ParseThresholds(string? text, out string error)
    {
        error = string.Empty;
        var parts = (text ?? string.Empty).Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            error = "Give at least one threshold in percent (for example 50, 80, 100).";
            return null;
        }

        var list = new List<int>();
        foreach (var p in parts)
        {
            if (!int.TryParse(p.TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v is < 1 or > 200)
            {
                error = $"'{p}' is not a percentage from 1 to 200.";
                return null;
            }

            list.Add(v);
        }

        if (list.Count > 10)
        {
            error = "At most 10 thresholds.";
            return null;
        }

        return list.Distinct().Order().ToList();
    }

    public static BudgetDraft From(Budget b) => new()
    {
        Name = b.Name, Account = b.Scope.Account, TagKey = b.Scope.TagKey, TagValue = b.Scope.TagValue, MonthlyAmount = b.MonthlyAmount,
        Thresholds = string.Join(", ", b.Thresholds), AlertOnForecast = b.AlertOnForecast,
    };
}

/// <summary>Thrown with field errors: nothing was submitted.</summary>
public sealed class BudgetDraftException(IReadOnlyDictionary<string, string> problems) : Exception(string.Join(" ", problems.Values))
{
    public IReadOnlyDictionary<string, string> Problems { get; } = problems;
}

/// <summary>Keeps budgets, one per scope, with a version checked on save.</summary>
public interface IBudgetStore
{
    /// <summary>Budgets <paramref name="visibleTo"/> covers (null: all, for jobs), by name.</summary>
    Task<IReadOnlyList<Budget>> ListAsync(ReadScope? visibleTo, CancellationToken cancellationToken = default);

    Task<Budget?> FindAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Saves <paramref name="budget"/> if the stored one has version <c>budget.Version - 1</c> (none for version 1); false otherwise.</summary>
    Task<bool> SaveAsync(Budget budget, CancellationToken cancellationToken = default);

    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);
}
