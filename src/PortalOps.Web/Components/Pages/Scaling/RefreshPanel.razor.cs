using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Scaling;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Scaling;

/// <summary>
/// A group's instance refresh: progress while one runs (paused at a checkpoint, baking, rolling back), Refresh (with minimum healthy,
/// warm-up, skip-matching, checkpoints and their delay, a launch template version and auto rollback), Cancel and Roll back for those
/// who may change the group. Bad preferences get a message at their field; a refresh already running is refused with a message.
/// </summary>
public sealed partial class RefreshPanel
{
    private readonly DialogOptions _dialogOptions = new() { MaxWidth = MaxWidth.Small, FullWidth = true, CloseOnEscapeKey = true };
    private bool _dialogOpen;
    private int _minHealthy = 90;
    private int? _warmup;
    private bool _skipMatching;
    private string? _checkpoints;
    private int? _checkpointDelay;
    private string? _version;
    private bool _autoRollback;
    private string? _reason;
    private bool _busy;
    private string? _outcome;
    private bool _outcomeOk;
    private IReadOnlyDictionary<string, string> _problems = new Dictionary<string, string>();

    [Inject]
    public required ScalingOperations Scaling { get; init; }

    [Inject]
    public required CurrentActor CurrentActor { get; init; }

    [Parameter, EditorRequired]
    public required ScalingGroup Group { get; set; }

    /// <summary>The group's recent refreshes, newest first.</summary>
    [Parameter]
    public IReadOnlyList<InstanceRefresh> Refreshes { get; set; } = [];

    [Parameter]
    public bool MayChange { get; set; }

    [Parameter]
    public EventCallback Changed { get; set; }

    private InstanceRefresh? Running => Refreshes.FirstOrDefault(r => r.IsRunning);

    private InstanceRefresh? Last => Refreshes.FirstOrDefault();

    private bool Has(string field) => _problems.ContainsKey(field);

    private string? At(string field) => _problems.GetValueOrDefault(field);

    private void Open()
    {
        (_problems, _outcome) = (new Dictionary<string, string>(), null);
        _dialogOpen = true;
    }

    private async Task StartAsync()
    {
        _busy = true;
        try
        {
            var (checkpoints, unreadable) = InstanceRefreshRequest.ParseCheckpoints(_checkpoints);
            var request = new InstanceRefreshRequest(_minHealthy, _warmup, _skipMatching)
            {
                CheckpointPercentages = checkpoints ?? [],
                CheckpointDelaySeconds = _checkpointDelay,
                AutoRollback = _autoRollback,
                LaunchTemplateVersion = string.IsNullOrWhiteSpace(_version) ? null : _version.Trim(),
            };
            if (unreadable is not null)
            {
                var problems = new Dictionary<string, string>(request.Check(), StringComparer.Ordinal) { [InstanceRefreshRequest.CheckpointsField] = unreadable };
                _problems = problems;
                return;
            }

            var actor = await CurrentActor.ActorAsync();
            var result = await Scaling.StartInstanceRefreshAsync(actor, Group.Ref, request, _reason);
            _problems = result.Problems;
            if (result.Problems.Keys.Any(k => k != ScalingOperations.GroupField))
            {
                return;
            }

            _dialogOpen = false;
            (_outcome, _outcomeOk) = (result.Message, result.Accepted);
            await Changed.InvokeAsync();
        }
        finally
        {
            _busy = false;
        }
    }

    /// <summary>The refresh's checkpoints, version and rollback choice in words; null when it had none of them.</summary>
    public static string? Plan(InstanceRefresh refresh)
    {
        var parts = new List<string>();
        if (refresh.CheckpointPercentages.Count > 0)
        {
            parts.Add($"Checkpoints {string.Join(", ", refresh.CheckpointPercentages)}% (wait {(refresh.CheckpointDelaySeconds is { } d ? $"{d} s" : "1 h")} at each)");
        }

        if (refresh.DesiredLaunchTemplateVersion is { } v)
        {
            parts.Add($"to launch template version {v}");
        }

        if (refresh.AutoRollback)
        {
            parts.Add("rolls back by itself on failure");
        }

        return parts.Count == 0 ? null : string.Join(" · ", parts);
    }

    private async Task RollbackAsync()
    {
        _busy = true;
        try
        {
            var result = await Scaling.RollbackInstanceRefreshAsync(await CurrentActor.ActorAsync(), Group.Ref);
            (_outcome, _outcomeOk) = (result.Message, result.Accepted);
            await Changed.InvokeAsync();
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task CancelAsync()
    {
        _busy = true;
        try
        {
            var result = await Scaling.CancelInstanceRefreshAsync(await CurrentActor.ActorAsync(), Group.Ref);
            (_outcome, _outcomeOk) = (result.Message, result.Accepted);
            await Changed.InvokeAsync();
        }
        finally
        {
            _busy = false;
        }
    }
}
