using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Audit;

/// <summary>The audit log, filtered and paged on the server, with a CSV download and a check of the hash chain.</summary>
public sealed partial class Audit
{
    private readonly AuditFilter _filter = new();
    private MudDataGrid<AuditRecord>? _grid;
    private ChainVerification? _verification;
    private bool _verifying;

    [Inject]
    public required IAuditLog Log { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    public static string VerificationText(ChainVerification result) =>
        result.Intact
            ? $"Intact: {result.RecordsChecked} records checked"
            : $"Broken at record {result.FirstBrokenSequence}: {result.Problem}";

    public static Color ColorOf(AuditOutcome outcome) => outcome switch
    {
        AuditOutcome.Succeeded => Color.Success,
        AuditOutcome.Failed => Color.Error,
        AuditOutcome.Denied => Color.Warning,
        AuditOutcome.Pending => Color.Info,
    };

    private async Task<GridData<AuditRecord>> LoadAsync(GridState<AuditRecord> state, CancellationToken cancellationToken)
    {
        // The person's records only (the Authorizer's audit read scope), filtered and counted in the database.
        var visibleTo = Authorizer.AuditReadScopeOf(await Current.ActorAsync(cancellationToken));
        var page = await Log.QueryAsync(_filter.ToQuery(state.Page, state.PageSize) with { VisibleTo = visibleTo }, cancellationToken);
        return new GridData<AuditRecord> { Items = page.Items, TotalItems = page.TotalCount };
    }

    private async Task OnFilterChangedAsync()
    {
        if (_grid is null)
        {
            return;
        }

        _grid.NavigateTo(Page.First);
        await _grid.ReloadServerData();
    }

    private async Task VerifyAsync()
    {
        _verifying = true;
        _verification = null;
        try
        {
            _verification = await AuditChain.VerifyAsync(Log.ReadChainAsync());
        }
        finally
        {
            _verifying = false;
        }
    }
}
