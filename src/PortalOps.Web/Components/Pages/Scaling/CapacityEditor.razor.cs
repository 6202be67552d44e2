using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Scaling;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Scaling;

/// <summary>Edits a group's min, desired and max; bad values get a message at their field and nothing is sent.</summary>
public sealed partial class CapacityEditor
{
    private int _min;
    private int _desired;
    private int _max;
    private string? _reason;
    private bool _busy;
    private string? _outcome;
    private bool _outcomeOk;
    private IReadOnlyDictionary<string, string> _problems = new Dictionary<string, string>();
    private ScalingGroup? _shown;

    [Inject]
    public required ScalingOperations Scaling { get; init; }

    [Inject]
    public required CurrentActor CurrentActor { get; init; }

    [Parameter, EditorRequired]
    public required ScalingGroup Current { get; set; }

    [Parameter]
    public bool MayChange { get; set; }

    [Parameter]
    public EventCallback Changed { get; set; }

    protected override void OnParametersSet()
    {
        if (!ReferenceEquals(_shown, Current))
        {
            _shown = Current;
            (_min, _desired, _max) = (Current.MinSize, Current.DesiredCapacity, Current.MaxSize);
        }
    }

    private bool Has(string field) => _problems.ContainsKey(field);

    private string? At(string field) => _problems.GetValueOrDefault(field);

    private async Task SubmitAsync()
    {
        _busy = true;
        try
        {
            var actor = await CurrentActor.ActorAsync();
            var result = await Scaling.SetCapacityAsync(actor, Current.Ref, new CapacityChange(_min, _desired, _max), _reason);
            _problems = result.Problems;
            _outcome = result.Result?.Message;
            _outcomeOk = result.Accepted;
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
