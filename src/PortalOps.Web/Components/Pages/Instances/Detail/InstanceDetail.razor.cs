using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Shared;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Instances.Detail;

/// <summary>One instance: overview and protections, tags, volumes, network and security groups, state timeline, audit trail, metrics.
/// Follows state changes live; every change goes through the action pipeline.</summary>
public sealed partial class InstanceDetail : IDisposable
{
    private readonly List<TimelineEntry> _observed = [];
    private IDisposable? _subscription;
    private LiveRefresh? _live;
    private string? _groupKey;
    private string? _volumeKey;
    private bool _refusalAudited;

    [Parameter]
    public string AccountId { get; set; } = string.Empty;

    [Parameter]
    public string Region { get; set; } = string.Empty;

    [Parameter]
    public string InstanceId { get; set; } = string.Empty;

    [Inject]
    public required IInventory Inventory { get; init; }

    [Inject]
    public required IInstanceAttributes AttributesPort { get; init; }

    [Inject]
    public required ICloudResources Resources { get; init; }

    [Inject]
    public required IAuditLog Audit { get; init; }

    [Inject]
    public required IFleetEvents FleetEvents { get; init; }

    [Inject]
    public required ActionPipeline Pipeline { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    [Inject]
    public required PortalOps.Domain.Accounts.ICloudProvider Cloud { get; init; }

    [Inject]
    public required IServiceProvider Services { get; init; }

    public InstanceRef Ref => new(AccountId, Region, InstanceId);

    public Instance? Instance { get; private set; }

    public InstanceAttributes? Attributes { get; private set; }

    public IReadOnlyList<SecurityGroupInfo> Groups { get; private set; } = [];

    public IReadOnlyList<VolumeInfo> Volumes { get; private set; } = [];

    public IReadOnlyList<AuditRecord> Trail { get; private set; } = [];

    public bool Loaded { get; private set; }

    public bool CanAct { get; private set; }

    public bool Busy { get; private set; }

    /// <summary>The instance's region did not answer at its last read: the page shows the last inventory, and says since when.</summary>
    public RegionStatus? Outage { get; private set; }

    /// <summary>Launch, the actions in the audit trail, and the state changes seen while the page is open, newest first.</summary>
    public IEnumerable<TimelineEntry> Timeline =>
        _observed
            .Concat(Trail.Select(r => new TimelineEntry(r.At, $"{r.Event.Action} by {r.Event.ActorName}: {r.Event.Outcome.ToString().ToLowerInvariant()}", r.Event.Detail)))
            .Concat(Instance is null ? [] : [new TimelineEntry(Instance.LaunchTime, "launched", null)])
            .OrderByDescending(e => e.At);

    protected override async Task OnInitializedAsync()
    {
        var user = await Current.UserAsync();
        CanAct = user is { Role: >= Role.Operator };
        await LoadAsync();
        _live = new LiveRefresh(() => InvokeAsync(async () =>
        {
            await LoadAsync();
            StateHasChanged();
        }), TimeSpan.FromMilliseconds(300));
        _subscription = FleetEvents.Subscribe(changed =>
        {
            if (changed == Ref)
            {
                _live.Poke();
            }
        });
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _live?.Dispose();
    }

    public async Task LoadAsync()
    {
        var before = Instance?.State;
        var actor = await Current.ActorAsync();
        var found = await Inventory.FindAsync(Ref);
        if (found is not null && !Authorizer.MaySee(actor, found))
        {
            // Outside the person's scopes: the same "not found" as a missing instance (nothing about it shows), and the refusal is audited once.
            await AuditRefusalAsync(actor, found);
            found = null;
        }

        Instance = found;
        Outage = found is null ? null : Services.GetService<IInventoryStatus>()?.Current.Regions.FirstOrDefault(r => r.AccountId == AccountId && r.Region == Region && !r.Healthy);
        Loaded = true;
        if (Instance is null || Outage is not null)
        {
            if (Instance is null)
            {
                Trail = [];
                Attributes = null;
                Groups = [];
                Volumes = [];
            }

            // During an outage nothing more is asked of the region: its reads would only wait for their deadlines.
            return;
        }

        if (before is { } was && was != Instance.State)
        {
            _observed.Add(new TimelineEntry(Clock.GetUtcNow(), $"{StateChip.Label(was)} → {StateChip.Label(Instance.State)}", null));
        }

        // Groups and volumes are read per region: only again when the instance's own list of them changed.
        var scope = new CloudScope(AccountId, Region);
        var attributes = AttributesPort.GetAsync(Ref);
        var trail = Audit.QueryAsync(new AuditQuery { Target = InstanceId, PageSize = 50, VisibleTo = Authorizer.AuditReadScopeOf(actor) });
        var groupKey = string.Join(",", Instance.SecurityGroupIds);
        var volumeKey = string.Join(",", Instance.Volumes.Select(v => v.VolumeId));
        var groups = groupKey == _groupKey ? null : Resources.SecurityGroupsAsync(scope);
        var volumes = volumeKey == _volumeKey ? null : Resources.VolumesAsync(scope);
        Attributes = await attributes;
        Trail = (await trail).Items;
        if (groups is not null)
        {
            Groups = (await groups).Where(g => Instance.SecurityGroupIds.Contains(g.GroupId)).ToList();
            _groupKey = groupKey;
        }

        if (volumes is not null)
        {
            Volumes = (await volumes).Where(v => v.AttachedTo == InstanceId).ToList();
            _volumeKey = volumeKey;
        }
    }

    private async Task AuditRefusalAsync(Actor actor, Instance instance)
    {
        if (_refusalAudited)
        {
            return;
        }

        _refusalAudited = true;
        await Audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "instance.view", Ref.ToString(), AuditOutcome.Denied,
            $"{InstanceId} is outside {actor.Name}'s scope.") { Where = Footprint.Of(instance.AccountId, instance.Region, instance.Tags) });
    }

    /// <summary>Sends one action on this instance through the pipeline and says what happened.</summary>
    public async Task SubmitAsync(ActionKind kind, IReadOnlyDictionary<string, string>? parameters = null)
    {
        Busy = true;
        try
        {
            var request = new ActionRequest(kind, [Ref]) { Parameters = parameters ?? new Dictionary<string, string>() };
            var result = await Pipeline.SubmitAsync(await Current.ActorAsync(), request);
            Snackbar.Add(result.Message, result.Status switch
            {
                ActionStatus.Executed => Severity.Success,
                ActionStatus.PendingApproval => Severity.Info,
                ActionStatus.PartlySucceeded => Severity.Warning,
                _ => Severity.Error,
            });
            await LoadAsync();
        }
        catch (DomainException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        finally
        {
            Busy = false;
        }
    }

    public Task SetProtectionAsync(bool? termination, bool? stop)
    {
        var parameters = new Dictionary<string, string>();
        if (termination is { } t)
        {
            parameters[InstanceSettingsExecutor.TerminationProtection] = t ? "true" : "false";
        }

        if (stop is { } s)
        {
            parameters[InstanceSettingsExecutor.StopProtection] = s ? "true" : "false";
        }

        return SubmitAsync(ActionKind.SetProtection, parameters);
    }
}

public sealed record TimelineEntry(DateTimeOffset At, string Text, string? Detail);
