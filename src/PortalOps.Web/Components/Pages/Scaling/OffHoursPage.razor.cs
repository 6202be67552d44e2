using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Scaling;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Scaling;

/// <summary>
/// Off-hours schedules with their saving, what happens in the next 7 days, drift and overrides — only what the person's scopes
/// cover; Operators edit schedules (every bad field gets its message, nothing is saved) and keep resources running until a time,
/// both through the action pipeline.
/// </summary>
public sealed partial class OffHoursPage
{
    private readonly Dictionary<DayOfWeek, string?> _days = ScheduleDraft.Week.ToDictionary(d => d, _ => (string?)null);
    private OffHoursOverview? _overview;
    private SavedSchedule? _editing;
    private string? _name;
    private string? _timeZone = "Europe/Berlin";
    private string? _account;
    private string? _region;
    private string? _holidays;
    private bool _enabled = true;
    private bool _busy;
    private string? _outcome;
    private bool _outcomeOk;
    private string _saveKey = Guid.NewGuid().ToString("N");
    private IReadOnlyDictionary<string, string> _problems = new Dictionary<string, string>();
    private string? _keepResource;
    private string? _keepUntil;
    private string? _keepReason;
    private string? _keepOutcome;
    private bool _keepOk;
    private IReadOnlyDictionary<string, string> _keepProblems = new Dictionary<string, string>();

    [Inject]
    public required OffHoursOperations OffHours { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    private OffHoursSettings Settings => OffHours.Settings;

    /// <summary>The drift list as a CSV document (the rows this person sees), for the download link.</summary>
    private string DriftCsv
    {
        get
        {
            var csv = new StringBuilder("resource,name,schedule,should_run,since\n");
            foreach (var d in _overview?.Drift ?? [])
            {
                csv.Append(Cell(d.Subject.Resource.Ref.ToString())).Append(',').Append(Cell(d.Subject.Name)).Append(',').Append(Cell(d.ScheduleName)).Append(',')
                    .Append(d.ShouldRun ? "true" : "false").Append(',').Append(d.Since.ToString("u", CultureInfo.InvariantCulture)).Append('\n');
            }

            return "data:text/csv;charset=utf-8," + Uri.EscapeDataString(csv.ToString());
        }
    }

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync() => _overview = await OffHours.OverviewAsync(await Current.ActorAsync());

    private bool Has(string field) => _problems.ContainsKey(field);

    private string? At(string field) => _problems.GetValueOrDefault(field);

    private static string Periods(ScheduleContent content) =>
        string.Join("\n", ScheduleDraft.Week.Where(d => content.Periods.Any(p => p.Day == d)).Select(d => $"{d.ToString()[..3]} {ScheduleDraft.FormatDay(content.Periods.Where(p => p.Day == d))}"))
        + (content.Holidays.Count > 0 ? $"\n{content.Holidays.Count} holiday(s)" : string.Empty);

    private static string Local(DateTimeOffset at, string zone) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var z) ? $"{TimeZoneInfo.ConvertTime(at, z):ddd HH:mm} {zone}" : at.ToString("ddd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Money(decimal amount) => amount.ToString("#,##0.00", CultureInfo.InvariantCulture) + " USD";

    private static string Cell(string text) => text.Contains(',', StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal) ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;

    private void Edit(SavedSchedule schedule)
    {
        var draft = ScheduleDraft.Of(schedule.Content);
        (_editing, _name, _timeZone, _account, _region, _holidays, _enabled) = (schedule, draft.Name, draft.TimeZone, draft.AccountId, draft.Region, draft.Holidays, draft.Enabled);
        foreach (var day in ScheduleDraft.Week)
        {
            _days[day] = draft.Days.GetValueOrDefault(day);
        }

        (_problems, _outcome, _saveKey) = (new Dictionary<string, string>(), null, Guid.NewGuid().ToString("N"));
    }

    private void New()
    {
        (_editing, _name, _account, _region, _holidays, _enabled) = (null, null, null, null, null, true);
        foreach (var day in ScheduleDraft.Week)
        {
            _days[day] = null;
        }

        (_problems, _outcome, _saveKey) = (new Dictionary<string, string>(), null, Guid.NewGuid().ToString("N"));
    }

    private async Task SaveAsync()
    {
        _busy = true;
        try
        {
            var draft = new ScheduleDraft(_name, _timeZone, new Dictionary<DayOfWeek, string?>(_days), _holidays, _account, _region, _enabled);
            var answer = await OffHours.SaveAsync(await Current.ActorAsync(), _editing?.Id, draft, _saveKey);
            _problems = answer.Problems;
            _outcome = answer.Problems.Count > 0 ? "Nothing was saved: see the fields marked." : answer.Result?.Message;
            _outcomeOk = answer.Accepted;
            if (answer.Accepted)
            {
                _saveKey = Guid.NewGuid().ToString("N");
                await LoadAsync();
                _editing = _editing is null ? null : _overview?.Schedules.FirstOrDefault(v => v.Schedule.Id == _editing.Id)?.Schedule;
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task KeepAsync()
    {
        _busy = true;
        try
        {
            var actor = await Current.ActorAsync();
            var subject = await OffHours.FindAsync(actor, _keepResource);
            if (subject is null)
            {
                (_keepProblems, _keepOutcome, _keepOk) = (new Dictionary<string, string> { ["Resource"] = "No scheduled instance or group you can see has this id or name." }, null, false);
                return;
            }

            var zone = await OffHours.TimeZoneOfAsync(subject.Tags);
            if (OffHoursOperations.TodayAt(_keepUntil, zone, Clock.GetUtcNow()) is not { } until)
            {
                (_keepProblems, _keepOutcome, _keepOk) = (new Dictionary<string, string> { [OffHoursOperations.UntilField] = $"Write a time as HH:mm (in {zone})." }, null, false);
                return;
            }

            var answer = await OffHours.KeepRunningAsync(actor, subject.Resource, until, string.IsNullOrWhiteSpace(_keepReason) ? null : _keepReason.Trim(), $"web:{actor.UserId:N}:{subject.Resource.Key}:{until.UtcTicks}");
            (_keepProblems, _keepOutcome, _keepOk) = (answer.Problems, answer.Result?.Message ?? "Nothing was done: see the fields marked.", answer.Accepted);
            if (answer.Accepted)
            {
                await LoadAsync();
            }
        }
        finally
        {
            _busy = false;
        }
    }
}
