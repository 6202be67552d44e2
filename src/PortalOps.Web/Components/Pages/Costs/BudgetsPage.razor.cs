using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Costs;

/// <summary>
/// Budgets the person may see with this month's spend and estimate; Operators create and change them through the action pipeline, with each
/// field checked as it changes (an amount of 0 or less, a tag key that is not a cost-allocation tag, a bad threshold is refused at the field).
/// Also the open budget and spend-anomaly alerts the person may see.
/// </summary>
public sealed partial class BudgetsPage
{
    private Actor? _actor;
    private IReadOnlyList<BudgetStatus> _statuses = [];
    private IReadOnlyList<Alert> _alerts = [];
    private IReadOnlyList<string> _accounts = [];
    private bool _mayEdit;
    private bool _editing;
    private bool _existing;
    private BudgetDraft _draft = new();
    private Dictionary<string, string> _problems = [];
    private readonly HashSet<string> _touched = [];

    [Inject]
    public required BudgetActions Budgets { get; init; }

    [Inject]
    public required CostWatch Watch { get; init; }

    [Inject]
    public required IAlertStore AlertStore { get; init; }

    [Inject]
    public required ICloudProvider Cloud { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    protected override async Task OnInitializedAsync()
    {
        _actor = await Current.ActorAsync();
        _mayEdit = _actor.IsAtLeast(Role.Operator);
        _accounts = Cloud.Accounts.Select(a => a.Id).ToList();
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        _statuses = await Watch.StatusesAsync(_actor!);
        _alerts = (await AlertStore.ListOpenAsync()).Where(a => !AlertSources.IsRuleBased(a.RuleId) && Authorizer.MaySee(_actor!, a)).OrderByDescending(a => a.OpenedAt).ToList();
    }

    private bool Has(string field) => _touched.Contains(field) && _problems.ContainsKey(field);

    private string? ErrorOf(string field) => Has(field) ? _problems[field] : null;

    private void Edit(Budget? budget)
    {
        _existing = budget is not null;
        _draft = budget is null ? new BudgetDraft { Account = _accounts.FirstOrDefault() } : BudgetDraft.From(budget);
        _touched.Clear();
        _problems = new Dictionary<string, string>(_draft.Problems(_accounts), StringComparer.Ordinal);
        _editing = true;
    }

    private void Change(BudgetDraft draft, string? field)
    {
        _draft = draft;
        if (field is not null)
        {
            _touched.Add(field);
        }

        _problems = new Dictionary<string, string>(_draft.Problems(_accounts), StringComparer.Ordinal);
    }

    private async Task SaveAsync()
    {
        if (_actor is null)
        {
            return;
        }

        _touched.UnionWith([BudgetDraft.NameField, BudgetDraft.AccountField, BudgetDraft.AmountField, BudgetDraft.TagField, BudgetDraft.ThresholdsField]);
        try
        {
            var result = await Budgets.SaveAsync(_actor, _draft, Guid.NewGuid().ToString("N"));
            Snackbar.Add(result.Message, result.IsSuccess ? MudBlazor.Severity.Success : MudBlazor.Severity.Warning);
            if (result.IsSuccess)
            {
                _editing = false;
                await LoadAsync();
            }
        }
        catch (BudgetDraftException e)
        {
            _problems = new Dictionary<string, string>(e.Problems, StringComparer.Ordinal);
        }
    }
}
