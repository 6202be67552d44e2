using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Approvals;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Approvals;

/// <summary>The requests that wait for a decision, the ones that expire soonest first.</summary>
public sealed partial class PendingApprovals
{
    /// <summary>How many pending requests are read at most; far more than ever wait at once.</summary>
    public const int MaxListed = 500;

    private const int TargetsShown = 3;

    private MudDataGrid<ApprovalRequest>? _grid;

    [Inject]
    public required IApprovalStore Store { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    [Inject]
    public required PortalOps.Domain.Accounts.ICloudProvider Cloud { get; init; }

    [Parameter]
    public bool CanDecide { get; set; }

    [Parameter]
    public Guid? CurrentUserId { get; set; }

    [Parameter]
    public EventCallback<Decision> OnDecide { get; set; }

    public Task ReloadAsync() => _grid?.ReloadServerData() ?? Task.CompletedTask;

    private async Task<GridData<ApprovalRequest>> LoadAsync(GridState<ApprovalRequest> state, CancellationToken cancellationToken)
    {
        var pending = await Store.ListVisibleAsync(await Current.ActorAsync(cancellationToken), ApprovalStatus.Pending, MaxListed, cancellationToken);
        var ordered = pending.OrderBy(r => r.ExpiresAt).ThenBy(r => r.Id).ToList();
        return new GridData<ApprovalRequest>
        {
            Items = ordered.Skip(state.Page * state.PageSize).Take(state.PageSize).ToList(),
            TotalItems = ordered.Count,
        };
    }

    private Task DecideAsync(ApprovalRequest request, bool approve) => OnDecide.InvokeAsync(new Decision(request, approve));
}
