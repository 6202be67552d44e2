using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Compliance;
using PortalOps.Jobs.Compliance;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Compliance;

/// <summary>
/// The exceptions a person may see (all their covered findings in scope), in force or expired, filtered and paged, with CSV; and the
/// form for a policy-and-tag exception, which goes through the action pipeline like every other change.
/// </summary>
public sealed partial class ExceptionsPage
{
    private MudDataGrid<ExceptionRow>? _grid;
    private bool? _active = true;
    private string? _policy;
    private string? _text;
    private IReadOnlyList<string> _policyIds = [];

    [Inject]
    public required ExceptionList Exceptions { get; init; }

    [Inject]
    public required IPolicySource PolicySource { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    private string CsvUrl
    {
        get
        {
            var parts = new List<string>();
            if (_active is { } a)
            {
                parts.Add($"active={(a ? "true" : "false")}");
            }

            if (!string.IsNullOrWhiteSpace(_policy))
            {
                parts.Add($"policy={Uri.EscapeDataString(_policy)}");
            }

            if (!string.IsNullOrWhiteSpace(_text))
            {
                parts.Add($"text={Uri.EscapeDataString(_text)}");
            }

            return "/compliance/exceptions.csv" + (parts.Count == 0 ? string.Empty : "?" + string.Join('&', parts));
        }
    }

    protected override async Task OnInitializedAsync() =>
        _policyIds = (await PolicySource.CurrentAsync()).Select(p => p.Id).Order(StringComparer.Ordinal).ToList();

    private async Task<GridData<ExceptionRow>> LoadAsync(GridState<ExceptionRow> state, CancellationToken cancellationToken)
    {
        var page = await Exceptions.QueryAsync(await Current.ActorAsync(cancellationToken),
            new ExceptionQuery { Active = _active, PolicyId = _policy, Text = _text, PageIndex = state.Page, PageSize = Math.Min(state.PageSize, FindingQuery.MaxPageSize) }, cancellationToken);
        return new GridData<ExceptionRow> { Items = page.Items, TotalItems = page.TotalCount };
    }

    private Task ReloadAsync() => _grid?.ReloadServerData() ?? Task.CompletedTask;

    private Task OnActiveChangedAsync(bool? active)
    {
        _active = active;
        return ReloadAsync();
    }

    private Task OnPolicyChangedAsync(string? policy)
    {
        _policy = policy;
        return ReloadAsync();
    }

    private Task OnTextChangedAsync(string? text)
    {
        _text = text;
        return ReloadAsync();
    }

    private Task OnAskedAsync(ActionResult result) => result.Status == ActionStatus.Executed ? ReloadAsync() : Task.CompletedTask;
}
