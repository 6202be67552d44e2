using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Compliance.Reports;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Mail;

namespace PortalOps.Jobs.Compliance.Reports;

/// <summary>Scheduled compliance reports (section "ComplianceReports").</summary>
public sealed class ComplianceReportsOptions
{
    public const string Section = "ComplianceReports";

    public List<ReportScheduleOptions> Schedules { get; set; } = [];

    /// <summary>Keep the newest N reports of each schedule (a schedule's own <c>KeepLast</c> wins); all when unset.</summary>
    public int? KeepLast { get; set; }

    /// <summary>Remove kept reports older than this many days (the newest of each schedule stays); none when unset.</summary>
    public int? KeepDays { get; set; }

    public IReadOnlyList<ReportSchedule> ToSchedules() =>
        Schedules.Select(s => new ReportSchedule(s.Name, s.Every, s.Scopes.Select(Scope.Parse).ToList(), s.TelegramChatId)
        {
            MinimumSeverity = s.MinimumSeverity,
            EmailTo = s.EmailTo.Select(a => a.Trim()).Where(a => a.Length > 0).ToList(),
            KeepLast = s.KeepLast ?? KeepLast,
            KeepDays = s.KeepDays ?? KeepDays,
        }).ToList();
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

    /// <summary>Addresses the report is e-mailed to as an attachment; needs <c>Smtp:Host</c> and <c>Smtp:From</c>.</summary>
    public List<string> EmailTo { get; set; } = [];

    /// <summary>Keep the newest N reports of this schedule; overrides <c>ComplianceReports:KeepLast</c>.</summary>
    public int? KeepLast { get; set; }

    /// <summary>Remove this schedule's kept reports older than this many days; overrides <c>ComplianceReports:KeepDays</c>.</summary>
    public int? KeepDays { get; set; }
}

/// <summary>Checks the schedules at start; each message names the key to fix.</summary>
public sealed partial class ComplianceReportsOptionsValidator(IOptions<SmtpOptions>? smtp = null) : IValidateOptions<ComplianceReportsOptions>
{
    public ValidateOptionsResult Validate(string? name, ComplianceReportsOptions options)
    {
        var errors = new List<string>();
        CheckKeep(errors, ComplianceReportsOptions.Section, options.KeepLast, options.KeepDays);
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

            for (var j = 0; j < s.EmailTo.Count; j++)
            {
                if (!SmtpOptions.IsAddress(s.EmailTo[j]))
                {
                    errors.Add($"{key}:EmailTo:{j} '{s.EmailTo[j]}' is not an e-mail address.");
                }
            }

            if (s.EmailTo.Count > 0 && smtp is not null && !smtp.Value.Configured)
            {
                errors.Add($"{key}:EmailTo names addresses but no mail server is configured: set {SmtpOptions.Section}:Host and {SmtpOptions.Section}:From.");
            }

            CheckKeep(errors, key, s.KeepLast, s.KeepDays);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckKeep(List<string> errors, string key, int? keepLast, int? keepDays)
    {
        if (keepLast is < 1)
        {
            errors.Add($"{key}:KeepLast must be 1 or more (leave it out to keep every report).");
        }

        if (keepDays is < 1)
        {
            errors.Add($"{key}:KeepDays must be 1 or more (leave it out to keep reports of any age).");
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,39}$")]
    private static partial Regex NamePattern();
}
