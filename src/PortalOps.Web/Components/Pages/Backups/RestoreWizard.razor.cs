using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Backups;

/// <summary>
/// The restore wizard, started from a recovery point or an instance: a volume from a snapshot (zone, type, size, encryption, attach or not),
/// or the whole instance in its DR region from its latest complete copies. An image (ami-…) is restored in the launch wizard
/// (<c>/instances/launch?restoreFrom=…</c>), where this page sends it. Defaults come from the point and the source instance; the request
/// goes through the action pipeline (with approval when restores need it). A point or instance outside the person's scope reads as missing.
/// </summary>
public sealed partial class RestoreWizard
{
    internal static readonly string[] VolumeTypes = ["gp3", "gp2", "io2", "io1", "st1", "sc1", "standard"];

    private Mode _mode;
    private RecoveryPoint? _point;
    private Instance? _source;
    private DrInstanceRestore? _plan;
    private string? _planProblem;
    private string? _drRegion;
    private bool _loaded;
    private bool _busy;
    private string? _missing;
    private string? _result;
    private Severity _resultSeverity;
    private readonly string _key = Guid.NewGuid().ToString("N");

    private string? _zone;
    private string _volumeType = "gp3";
    private int _size = 8;
    private bool _encrypted = true;
    private string? _kmsKey;
    private bool _attach;
    private string? _attachTo;
    private string? _device = "/dev/sdf";
    private string? _instanceType;
    private string? _subnet;

    internal enum Mode
    {
        Volume,
        Instance,
    }

    [Parameter]
    public string AccountId { get; set; } = string.Empty;

    [Parameter]
    public string Region { get; set; } = string.Empty;

    /// <summary>A snapshot (snap-…), an image (ami-…) or an instance (i-…: restored whole in its DR region).</summary>
    [Parameter]
    public string Id { get; set; } = string.Empty;

    [Inject]
    public required IBackupCloud Cloud { get; init; }

    [Inject]
    public required IInventory Inventory { get; init; }

    [Inject]
    public required BackupActions Actions { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required IServiceProvider Services { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    private string BackHref => _source is null ? "/backups" : $"/backups/instances/{_source.AccountId}/{_source.Region}/{_source.InstanceId}";

    protected override async Task OnParametersSetAsync()
    {
        if (Id.StartsWith("ami-", StringComparison.Ordinal))
        {
            // An instance from an image is restored with the launch wizard's full choices.
            Navigation.NavigateTo($"/instances/launch?restoreFrom={AccountId}/{Region}/{Id}", replace: true);
            return;
        }

        var actor = await Current.ActorAsync();
        var scope = new CloudScope(AccountId, Region);
        if (Id.StartsWith("i-", StringComparison.Ordinal))
        {
            _mode = Mode.Instance;
            _source = await Inventory.FindAsync(new InstanceRef(AccountId, Region, Id));
            if (_source is null || !Authorizer.MaySee(actor, _source))
            {
                _missing = $"Instance {Id} was not found in {AccountId}/{Region}, or is outside your scope.";
            }
            else
            {
                await PlanAsync();
            }
        }
        else
        {
            _point = await Cloud.FindAsync(scope, Id);
            _source = _point?.InstanceId is { } instanceId ? await Inventory.FindAsync(new InstanceRef(AccountId, Region, instanceId)) : null;
            var visible = _point is not null && (_source is not null ? Authorizer.MaySee(actor, _source) : Authorizer.MaySee(actor, AccountId, Region, _point.Tags));
            if (!visible)
            {
                _missing = $"Recovery point {Id} was not found in {AccountId}/{Region}, or is outside your scope.";
            }
            else
            {
                _mode = Mode.Volume;
                _size = Math.Max(1, _point!.SizeGiB);
                _zone = _source?.AvailabilityZone ?? Region + "a";
                _attachTo = _source?.InstanceId;
            }
        }

        _loaded = true;
    }

    private async Task PlanAsync()
    {
        _instanceType = _source!.InstanceType;
        var engine = Services.GetService(typeof(DrillEngine)) as DrillEngine;
        var recovery = Services.GetService(typeof(IRecoveryCloud)) as IRecoveryCloud;
        if (engine is null || recovery is null)
        {
            _planProblem = "Restores in the DR region are not set up on this portal.";
            return;
        }

        try
        {
            var item = (await engine.PlanAsync([_source.Ref]))[0];
            _drRegion = item.DrRegion;
            var copies = await recovery.InstancePointsAsync(item.DrScope, _source.InstanceId);
            _plan = DrPlanner.Latest(copies, _source.InstanceId, _source, null, null, null);
            _planProblem = _plan is null ? $"No complete copy of {_source.InstanceId} in {item.DrRegion} yet." : null;
        }
        catch (Exception e) when (e is Domain.Common.DomainException)
        {
            _planProblem = e.Message;
        }
    }

    private async Task SubmitAsync()
    {
        _busy = true;
        try
        {
            var actor = await Current.ActorAsync();
            var scope = new CloudScope(AccountId, Region);
            var result = _mode switch
            {
                Mode.Volume => await Actions.RestoreVolumeAsync(actor, scope, new VolumeRestore(_point!.Id, (_zone ?? string.Empty).Trim(), _volumeType, _size, _encrypted,
                    _encrypted && !string.IsNullOrWhiteSpace(_kmsKey) ? _kmsKey.Trim() : null, _attach ? _attachTo?.Trim() : null, _attach ? _device?.Trim() : null), _key),
                _ => await Actions.RestoreInDrRegionAsync(actor, _source!.Ref, _instanceType, _subnet, _zone, _key),
            };
            (_result, _resultSeverity) = result.Status switch
            {
                ActionStatus.PendingApproval => ($"Waiting for approval. {result.Message}", Severity.Info),
                ActionStatus.Executed => ($"Done. {result.Message}", Severity.Success),
                _ => (result.Message, result.IsSuccess ? Severity.Info : Severity.Error),
            };
        }
        finally
        {
            _busy = false;
        }
    }

    internal static string Describe(RecoveryPoint p) =>
        $"{(p.IsCopy ? "DR copy" : p.Kind == RecoveryPointKind.Image ? "Image" : "Snapshot")} in {p.Scope.Region} of {p.Window ?? p.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}"
        + (p.RuleName is { } rule ? $" ({rule})" : string.Empty) + (p.SizeGiB > 0 ? $", {p.SizeGiB} GiB" : string.Empty) + $", {p.State.ToString().ToLowerInvariant()}";
}
