using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Scaling;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Scaling;

/// <summary>
/// One group: capacity now and over the last day (CloudWatch's group metrics where it has them, the stored history elsewhere,
/// the legend naming the source), its instances, policies, scheduled actions and activities; Operators within the group's scope
/// change it here, every change through the action pipeline. A group outside the person's scope reads as missing. While an instance refresh runs the page reads the group again every
/// <see cref="RefreshPolling"/> so its progress moves.
/// </summary>
public sealed partial class GroupPage : IDisposable
{
    public static readonly TimeSpan RefreshPolling = TimeSpan.FromSeconds(10);

    /// <summary>What the chart says when collection is on but CloudWatch has nothing yet (it starts with the next minute).</summary>
    public const string CollectingNotice =
        "Group metrics collection is enabled; CloudWatch has no GroupDesiredCapacity or GroupInServiceInstances data for this period yet " +
        "(points appear a few minutes after collection starts). The chart shows the portal's stored history meanwhile.";

    private Timer? _polling;
    private GroupDetail? _detail;
    private bool _loading = true;
    private bool _mayChange;
    private ScalingPolicy? _editing;
    private IReadOnlyCollection<string> _processes = [];
    private string? _message;
    private bool _messageOk;
    private bool _busy;
    private List<ChartSeries<double>> _series = [];

    [Inject]
    public required ScalingOperations Scaling { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Parameter]
    public required string Account { get; set; }

    [Parameter]
    public required string Region { get; set; }

    [Parameter]
    public required string Name { get; set; }

    private GroupRef Ref => new(Account, Region, Name);

    protected override Task OnParametersSetAsync() => ReloadAsync();

    private async Task ReloadAsync()
    {
        var actor = await Current.ActorAsync();
        _detail = await Scaling.DetailAsync(actor, Ref);
        _mayChange = _detail is not null && actor.IsAtLeast(Role.Operator);
        _series = _detail is null ? [] : Series(_detail.Capacity);
        _loading = false;
        Poll(_detail?.RunningRefresh is not null);
    }

    /// <summary>Desired and in service per source the chart holds, each named after its source so the legend says where it comes from.</summary>
    public static List<ChartSeries<double>> Series(CapacityChart chart)
    {
        var series = new List<ChartSeries<double>>();
        foreach (var source in new[] { CapacitySource.CloudWatch, CapacitySource.History })
        {
            var points = chart.Points.Where(p => p.Source == source).ToList();
            if (points.Count == 0)
            {
                continue;
            }

            var label = source == CapacitySource.CloudWatch ? "CloudWatch" : "stored";
            series.Add(new ChartSeries<double> { Name = $"Desired ({label})", Data = new ChartData<double>(points.Where(p => p.Desired is not null).Select(p => (p.At.UtcDateTime, p.Desired!.Value)).ToList()) });
            series.Add(new ChartSeries<double> { Name = $"In service ({label})", Data = new ChartData<double>(points.Where(p => p.InService is not null).Select(p => (p.At.UtcDateTime, p.InService!.Value)).ToList()) });
        }

        return series;
    }

    private void Poll(bool on)
    {
        if (!on)
        {
            _polling?.Dispose();
            _polling = null;
            return;
        }

        _polling ??= new Timer(_ => _ = InvokeAsync(async () =>
        {
            await ReloadAsync();
            StateHasChanged();
        }), null, RefreshPolling, RefreshPolling);
    }

    public void Dispose() => _polling?.Dispose();

    private async Task DeletePolicyAsync(string name) =>
        await ShowAsync(await Scaling.DeletePolicyAsync(await Current.ActorAsync(), Ref, name));

    private async Task DeleteScheduledAsync(string name) =>
        await ShowAsync(await Scaling.DeleteScheduledActionAsync(await Current.ActorAsync(), Ref, name));

    private async Task SuspendAsync() =>
        await ShowAsync(await Scaling.SuspendAsync(await Current.ActorAsync(), Ref, _processes.ToList()));

    private async Task ResumeAsync() =>
        await ShowAsync(await Scaling.ResumeAsync(await Current.ActorAsync(), Ref, _processes.ToList()));

    private async Task EnableMetricsAsync()
    {
        _busy = true;
        try
        {
            await ShowAsync(await Scaling.EnableMetricsCollectionAsync(await Current.ActorAsync(), Ref));
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task ShowAsync(ScalingChangeResult result)
    {
        (_message, _messageOk) = (result.Message, result.Accepted);
        if (result.Accepted)
        {
            await ReloadAsync();
        }
    }
}
