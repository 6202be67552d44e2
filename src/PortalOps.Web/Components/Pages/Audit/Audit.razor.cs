using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Audit;

/// <summary>
/// The audit log, filtered and paged on the server, with a CSV download; Admins start a check of the keyed hash chain, which runs as
/// a background job (never in this circuit) while the page polls its progress.
/// </summary>
public sealed partial class Audit
{
    /// <summary>How often the page reads a running verification's progress.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly AuditFilter _filter = new();
    private readonly CancellationTokenSource _disposed = new();
    private MudDataGrid<AuditRecord>? _grid;
    private AuditVerificationStatus? _run;
    private string? _refused;

    [Inject]
    public required IAuditLog Log { get; init; }

    [Inject]
    public required IAuditVerification Verification { get; init; }

    [Inject]
    public required Security.CurrentActor CurrentActor { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private static double Percent(AuditVerificationStatus run) => run.Total == 0 ? 0 : Math.Min(100, 100.0 * run.Checked / run.Total);

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
        var visibleTo = Authorizer.AuditReadScopeOf(await CurrentActor.ActorAsync(cancellationToken));
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
        _refused = null;
        _run = await Verification.StartAsync(await CurrentActor.ActorAsync(_disposed.Token), _disposed.Token);
        if (_run is null)
        {
            _refused = "Only Admins verify the audit chain.";
            return;
        }

        _ = PollAsync(_run.Id);
    }

    private async Task PollAsync(Guid id)
    {
        try
        {
            while (_run is { IsFinished: false } && !_disposed.IsCancellationRequested)
            {
                await Task.Delay(PollInterval, Clock, _disposed.Token);
                var status = await Verification.FindAsync(id, _disposed.Token);
                await InvokeAsync(() =>
                {
                    _run = status;
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
            // The page was closed; the job runs on and its result stays in the status record and the audit log.
        }
    }
}
