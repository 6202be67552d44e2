using System.Globalization;
using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Scaling;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Scaling;

/// <summary>Creates or replaces a scheduled action of a group (same name replaces).</summary>
public sealed partial class ScheduledActionEditor
{
    private static readonly string[] TimeFormats = ["yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ssK"];
    private string? _name;
    private string? _recurrence;
    private string? _timeZone;
    private string? _start;
    private string? _end;
    private int? _min;
    private int? _desired;
    private int? _max;
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

    [Parameter]
    public EventCallback Changed { get; set; }

    private bool Has(string field) => _problems.ContainsKey(field);

    private string? At(string field) => _problems.GetValueOrDefault(field);

    private static bool TryTime(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (DateTimeOffset.TryParseExact(text.Trim(), TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    private async Task SubmitAsync()
    {
        var unreadable = new Dictionary<string, string>();
        if (!TryTime(_start, out var start))
        {
            unreadable[ScheduledAction.StartField] = "Write the start as yyyy-MM-dd HH:mm (UTC).";
        }

        if (!TryTime(_end, out var end))
        {
            unreadable[ScheduledAction.EndField] = "Write the end as yyyy-MM-dd HH:mm (UTC).";
        }

        var action = new ScheduledAction(_name?.Trim() ?? string.Empty)
        {
            Recurrence = _recurrence, TimeZone = _timeZone, StartTime = start, EndTime = end, MinSize = _min, DesiredCapacity = _desired, MaxSize = _max,
        };
        if (unreadable.Count > 0)
        {
            foreach (var (field, problem) in action.Check(DateTimeOffset.MinValue))
            {
                unreadable.TryAdd(field, problem);
            }

            (_problems, _outcome, _outcomeOk) = (unreadable, null, false);
            return;
        }

        _busy = true;
        try
        {
            var result = await Scaling.SaveScheduledActionAsync(await CurrentActor.ActorAsync(), Group, action);
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
