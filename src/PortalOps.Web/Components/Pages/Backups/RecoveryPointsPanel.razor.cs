using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Backups;

/// <summary>
/// One instance's recovery points — its snapshots or images at the source and their copies in the DR regions of the policies that select it —
/// newest first, each with a Restore link for Operators. The caller has checked that the person may see the instance.
/// </summary>
public sealed partial class RecoveryPointsPanel
{
    private IReadOnlyList<RecoveryPoint>? _points;
    private List<CloudScope> _drScopes = [];
    private string? _problem;
    private bool _canRestore;

    [Parameter, EditorRequired]
    public required Instance Instance { get; set; }

    [Inject]
    public required IServiceProvider Services { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    protected override async Task OnParametersSetAsync()
    {
        var actor = await Current.ActorAsync();
        _canRestore = actor.IsAtLeast(Role.Operator) && Authorizer.MaySee(actor, Instance);
        if (Services.GetService(typeof(IRecoveryCloud)) is not IRecoveryCloud recovery || Services.GetService(typeof(IBackupPolicyStore)) is not IBackupPolicyStore store)
        {
            (_points, _problem) = ([], "Backups are not set up on this portal.");
            return;
        }

        var policies = (await store.ListAsync()).Where(p => p.Selects(Instance)).ToList();
        _drScopes = policies.Where(p => p.CopyScope is not null).Select(p => p.CopyScope!).Distinct().ToList();
        var points = new List<RecoveryPoint>();
        try
        {
            points.AddRange(await recovery.InstancePointsAsync(new CloudScope(Instance.AccountId, Instance.Region), Instance.InstanceId));
            foreach (var scope in _drScopes)
            {
                points.AddRange(await recovery.InstancePointsAsync(scope, Instance.InstanceId));
            }

            _points = points.OrderByDescending(p => p.CreatedAt).ThenBy(p => p.IsCopy).ThenBy(p => p.Id, StringComparer.Ordinal).ToList();
            _problem = policies.Count == 0 && points.Count == 0 ? "No backup policy selects this instance." : null;
        }
        catch (BackupCloudException e)
        {
            (_points, _problem) = ([], $"The recovery points could not be read: {e.Message}");
        }
    }

    /// <summary>An image restores through the launch wizard, prefilled from the instance it backs up.</summary>
    internal static string RestoreInstanceHref(RecoveryPoint point) =>
        $"/instances/launch?restoreFrom={point.Scope.AccountId}/{point.Scope.Region}/{point.Id}";
}
