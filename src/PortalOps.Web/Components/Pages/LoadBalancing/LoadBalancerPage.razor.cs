using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;
using PortalOps.Domain.LoadBalancing;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.LoadBalancing;

/// <summary>
/// One load balancer: its listeners and rules, each target group with its deregistration delay and every target's health (with
/// ELB's reason), a health chart over the reads kept, and register/deregister through the action pipeline for those who may act.
/// </summary>
public sealed partial class LoadBalancerPage
{
    private LoadBalancerDetail? _detail;
    private bool _loaded;
    private bool _mayAct;
    private int _healthy;
    private int _unhealthy;
    private int _draining;
    private int _total;
    private List<ChartSeries<double>> _series = [];
    private List<BreadcrumbItem> _crumbs = [];

    [Parameter]
    public required string AccountId { get; set; }

    [Parameter]
    public required string Region { get; set; }

    [Parameter]
    public required string Name { get; set; }

    [Inject]
    public required LoadBalancingReads Reads { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    protected override Task OnParametersSetAsync()
    {
        _crumbs = [new BreadcrumbItem("Load balancing", "/load-balancing"), new BreadcrumbItem(Name, null, disabled: true)];
        return LoadAsync();
    }

    private async Task ReloadAsync()
    {
        Reads.Invalidate(new CloudScope(AccountId, Region));
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        var actor = await Current.ActorAsync();
        _detail = await Reads.FindAsync(actor, AccountId, Region, Name);
        _loaded = true;
        if (_detail is not { } d)
        {
            return;
        }

        var targets = d.TargetGroups.SelectMany(g => g.Targets).ToList();
        _healthy = targets.Count(t => t.State == TargetHealthState.Healthy);
        _unhealthy = targets.Count(t => t.State == TargetHealthState.Unhealthy);
        _draining = targets.Count(t => t.State == TargetHealthState.Draining);
        _total = targets.Count;
        _mayAct = actor.IsAtLeast(ActionKind.RegisterTargets.MinimumRole);
        var history = Reads.HistoryOf(d.LoadBalancer);
        _series =
        [
            Series("Healthy", history.Select(h => (h.At, (double)h.Healthy))),
            Series("Unhealthy", history.Select(h => (h.At, (double)h.Unhealthy))),
            Series("Draining", history.Select(h => (h.At, (double)h.Draining))),
        ];
    }

    private static ChartSeries<double> Series(string name, IEnumerable<(DateTimeOffset At, double Value)> points) =>
        new() { Name = name, Data = new ChartData<double>(points.Select(p => (p.At.UtcDateTime, p.Value)).ToList()) };

    private string GroupName(string arn) => _detail?.TargetGroups.FirstOrDefault(g => g.Arn == arn)?.Name ?? arn.Split('/').Skip(1).FirstOrDefault() ?? arn;
}
