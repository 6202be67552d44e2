using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Approvals;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Approvals;

/// <summary>Requests that are no longer pending (approved, denied, expired, executed, failed), the latest activity first.</summary>
public sealed partial class ApprovalHistory
{
    /// <summary>How many requests are read; the audit log keeps the full record beyond this.</summary>
    public const int MaxListed = 1000;

    private MudDataGrid<ApprovalRequest>? _grid;

    [Inject]
    public required IApprovalStore Store { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    public Task ReloadAsync() => _grid?.ReloadServerData() ?? Task.CompletedTask;

    public static Color ColorOf(ApprovalStatus status) => status switch
    {
        ApprovalStatus.Executed => Color.Success,
        ApprovalStatus.Approved or ApprovalStatus.Executing => Color.Info,
        ApprovalStatus.Pending => Color.Default,
        ApprovalStatus.Denied or ApprovalStatus.Failed => Color.Error,
        ApprovalStatus.Expired => Color.Warning,
    };

    private async Task<GridData<ApprovalRequest>> LoadAsync(GridState<ApprovalRequest> state, CancellationToken cancellationToken)
    {
        var all = await Store.ListVisibleAsync(await Current.ActorAsync(cancellationToken), null, MaxListed, cancellationToken);
        var decided = all.Where(r => r.Status != ApprovalStatus.Pending)
            .OrderByDescending(r => r.CompletedAt ?? r.DecidedAt ?? r.CreatedAt)
            .ThenBy(r => r.Id)
            .ToList();
        return new GridData<ApprovalRequest>
        {
            Items = decided.Skip(state.Page * state.PageSize).Take(state.PageSize).ToList(),
            TotalItems = decided.Count,
        };
    }
}
