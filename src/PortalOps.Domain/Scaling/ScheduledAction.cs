using System.Text.Json;
using System.Text.RegularExpressions;

namespace PortalOps.Domain.Scaling;

/// <summary>
/// A scheduled change of a group's capacity: once (a start time) or recurring (a cron recurrence in a time zone), setting any of
/// min, desired and max. <see cref="Check"/> names every bad field before anything is sent.
/// </summary>
public sealed partial record ScheduledAction(string Name)
{
    public const string NameField = nameof(Name);
    public const string RecurrenceField = nameof(Recurrence);
    public const string TimeZoneField = nameof(TimeZone);
    public const string StartField = nameof(StartTime);
    public const string EndField = nameof(EndTime);
    public const string MinField = nameof(MinSize);
    public const string DesiredField = nameof(DesiredCapacity);
    public const string MaxField = nameof(MaxSize);

    public string? Recurrence { get; init; }

    /// <summary>IANA name (e.g. Europe/Berlin); null is UTC.</summary>
    public string? TimeZone { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    public DateTimeOffset? EndTime { get; init; }

    public int? MinSize { get; init; }

    public int? DesiredCapacity { get; init; }

    public int? MaxSize { get; init; }

    public string? Arn { get; init; }

    public IReadOnlyDictionary<string, string> Check(DateTimeOffset now)
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(Name) || !ActionName().IsMatch(Name))
        {
            problems[NameField] = "Name the action: 1–255 letters, digits, spaces and - _ . (no ':').";
        }

        if (string.IsNullOrWhiteSpace(Recurrence))
        {
            if (StartTime is null)
            {
                problems[RecurrenceField] = "Give a recurrence, or a start time for a one-off change.";
            }
        }
        else if (CronRecurrence.TryParse(Recurrence, out var cronProblem) is null)
        {
            problems[RecurrenceField] = cronProblem!;
        }

        if (!string.IsNullOrWhiteSpace(TimeZone) && !TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone.Trim(), out _))
        {
            problems[TimeZoneField] = $"'{TimeZone.Trim()}' is not a time zone; use an IANA name such as Europe/Berlin or America/New_York.";
        }

        if (StartTime is { } start && string.IsNullOrWhiteSpace(Recurrence) && start <= now)
        {
            problems[StartField] = "A one-off change starts in the future.";
        }

        if (EndTime is { } end && (end <= now || (StartTime is { } s && end <= s)))
        {
            problems[EndField] = "The end time is in the future and after the start time.";
        }

        if (MinSize is null && DesiredCapacity is null && MaxSize is null)
        {
            problems[DesiredField] = "Set at least one of min, desired and max.";
        }

        foreach (var (problem, field) in CapacityChange.Problems(MinSize, DesiredCapacity, MaxSize, MinField, DesiredField, MaxField))
        {
            problems.TryAdd(field, problem);
        }

        return problems;
    }

    public string Describe() =>
        $"{Name}: {(string.IsNullOrWhiteSpace(Recurrence) ? $"at {StartTime:u}" : $"'{Recurrence}' {TimeZone ?? "UTC"}")} → min {MinSize?.ToString() ?? "–"}, desired {DesiredCapacity?.ToString() ?? "–"}, max {MaxSize?.ToString() ?? "–"}";

    public string ToJson() => JsonSerializer.Serialize(this);

    public static ScheduledAction? FromJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ScheduledAction>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^[\w\-. ]{1,255}$")]
    private static partial Regex ActionName();
}
