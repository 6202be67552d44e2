using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Compliance.Reports;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Compliance.Reports;

/// <summary>Scheduled compliance reports (section "ComplianceReports").</summary>
public sealed class ComplianceReportsOptions
{
    public const string Section = "ComplianceReports";

    public List<ReportScheduleOptions> Schedules { get; set; } = [];

    public IReadOnlyList<ReportSchedule> ToSchedules() =>
        Schedules.Select(s => new ReportSchedule(s.Name, s.Every, s.Scopes.Select(Scope.Parse).ToList(), s.TelegramChatId) { MinimumSeverity = s.MinimumSeverity }).ToList();
}

/// <summary>One schedule: <c>{"Name": "prod-weekly", "Every": "Weekly", "Scopes": ["123456789012/*"], "TelegramChatId": -1001234567890}</c>.</summary>
public sealed class ReportScheduleOptions
{
    public string Name { get; set; } = string.Empty;

    /// <summary>Weekly (Mondays 06:00 UTC, the last ISO week) or Monthly (the 1st 06:00 UTC, the last month).</summary>
    public ReportCadence Every { get; set; } = ReportCadence.Weekly;

    /// <summary>What the report covers, as account/region or account/region/key=value ("*" for any).</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The Telegram chat the report is sent to as a document; none when unset (the report is still kept).</summary>
    public long? TelegramChatId { get; set; }

    /// <summary>List only findings of this severity or worse.</summary>
    public Severity? MinimumSeverity { get; set; }
}

/// <summary>Checks the schedules at start; each message names the key to fix.</summary>
public sealed partial class ComplianceReportsOptionsValidator : IValidateOptions<ComplianceReportsOptions>
{
    public ValidateOptionsResult Validate(string? name, ComplianceReportsOptions options)
    {
        var errors = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Schedules.Count; i++)
        {
            var s = options.Schedules[i];
            var key = $"{ComplianceReportsOptions.Section}:Schedules:{i}";
            if (!NamePattern().IsMatch(s.Name ?? string.Empty))
            {
                errors.Add($"{key}:Name '{s.Name}' must be 1–40 of a-z, 0-9 and -, starting with a letter.");
            }
            else if (!names.Add(s.Name!))
            {
                errors.Add($"{key}:Name '{s.Name}' is used by another schedule.");
            }

            if (!Enum.IsDefined(s.Every))
            {
                errors.Add($"{key}:Every must be Weekly or Monthly.");
            }

            if (s.Scopes.Count == 0)
            {
                errors.Add($"{key}:Scopes names no scope; write account/region (\"*\" for any).");
            }

            for (var j = 0; j < s.Scopes.Count; j++)
            {
                if (!Scope.TryParse(s.Scopes[j], out _, out var error))
                {
                    errors.Add($"{key}:Scopes:{j}: {error}");
                }
            }

            if (s.TelegramChatId == 0)
            {
                errors.Add($"{key}:TelegramChatId 0 is not a chat; leave it out to keep the report without sending it.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,39}$")]
    private static partial Regex NamePattern();
}
