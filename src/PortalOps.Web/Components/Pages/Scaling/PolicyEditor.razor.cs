using System.Globalization;
using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Scaling;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Scaling;

/// <summary>Creates or replaces a scaling policy of a group (same name replaces); shown only to those who may change the group.</summary>
public sealed partial class PolicyEditor
{
    private string? _name;
    private PolicyKind _kind = PolicyKind.TargetTracking;
    private TrackedMetric _metric = TrackedMetric.Cpu;
    private double _target = 50;
    private string? _label;
    private bool _noScaleIn;
    private AdjustmentType _adjustmentType = AdjustmentType.ChangeInCapacity;
    private string? _steps = "0, 20, 1\n20, , 2";
    private int _adjustment = 1;
    private int? _cooldown = 300;
    private int? _warmup;
    private bool _busy;
    private string? _outcome;
    private bool _outcomeOk;
    private IReadOnlyDictionary<string, string> _problems = new Dictionary<string, string>();

    [Inject]
    public required ScalingOperations Scaling { get; init; }

    [Inject]
    public required CurrentActor CurrentActor { get; init; }

    [Parameter, EditorRequired]
    public required GroupRef Group { get; set; }

    /// <summary>A policy to edit (its values fill the form); null for a new one.</summary>
    [Parameter]
    public ScalingPolicy? Editing { get; set; }

    [Parameter]
    public EventCallback Changed { get; set; }

    protected override void OnParametersSet()
    {
        if (Editing is { } p && p.Name != _name)
        {
            (_name, _kind, _metric, _target, _label, _noScaleIn) = (p.Name, p.Kind, p.Metric, p.TargetValue, p.ResourceLabel, p.DisableScaleIn);
            (_adjustmentType, _adjustment, _cooldown, _warmup) = (p.AdjustmentType, p.Adjustment, p.Cooldown, p.WarmupSeconds);
            _steps = string.Join("\n", p.Steps.Select(s => $"{Text(s.LowerBound)}, {Text(s.UpperBound)}, {s.Adjustment}"));
        }
    }

    private bool Has(string field) => _problems.ContainsKey(field);

    private string? At(string field) => _problems.GetValueOrDefault(field);

    /// <summary>Reads the steps typed one per line as "lower, upper, adjustment"; null with a message when a line cannot be read.</summary>
    public static (IReadOnlyList<StepAdjustment>? Steps, string? Problem) ParseSteps(string? text)
    {
        var steps = new List<StepAdjustment>();
        var lines = (text ?? string.Empty).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < lines.Length; i++)
        {
            var parts = lines[i].Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length != 3 || !Bound(parts[0], out var lower) || !Bound(parts[1], out var upper)
                || !int.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var adjustment))
            {
                return (null, $"Line {i + 1}: write 'lower, upper, adjustment' with numbers (leave a bound blank for none).");
            }

            steps.Add(new StepAdjustment(lower, upper, adjustment));
        }

        return (steps, null);
    }

    private static bool Bound(string text, out double? value)
    {
        value = null;
        if (text.Length == 0)
        {
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
        {
            value = v;
            return true;
        }

        return false;
    }

    private static string Text(double? bound) => bound?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;

    private async Task SubmitAsync()
    {
        var (steps, stepProblem) = _kind == PolicyKind.Step ? ParseSteps(_steps) : ([], null);
        var policy = new ScalingPolicy(_name?.Trim() ?? string.Empty, _kind)
        {
            Metric = _metric, TargetValue = _target, ResourceLabel = _label?.Trim(), DisableScaleIn = _noScaleIn, AdjustmentType = _adjustmentType,
            Steps = steps ?? [], Adjustment = _adjustment, Cooldown = _kind == PolicyKind.Simple ? _cooldown : null, WarmupSeconds = _kind == PolicyKind.Simple ? null : _warmup,
        };
        if (stepProblem is not null)
        {
            var problems = new Dictionary<string, string>(policy.Check()) { [ScalingPolicy.StepsField] = stepProblem };
            (_problems, _outcome, _outcomeOk) = (problems, null, false);
            return;
        }

        _busy = true;
        try
        {
            var result = await Scaling.SavePolicyAsync(await CurrentActor.ActorAsync(), Group, policy);
            (_problems, _outcome, _outcomeOk) = (result.Problems, result.Result?.Message, result.Accepted);
            if (result.Accepted)
            {
                await Changed.InvokeAsync();
            }
        }
        finally
        {
            _busy = false;
        }
    }
}
