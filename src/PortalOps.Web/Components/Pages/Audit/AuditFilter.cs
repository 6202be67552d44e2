using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;

namespace PortalOps.Web.Components.Pages.Audit;

/// <summary>What the audit page filters on; the same values drive the grid's query and the CSV download link.</summary>
public sealed class AuditFilter
{
    public const string ExportPath = "/audit/export.csv";

    public string? Text { get; set; }

    public string? Actor { get; set; }

    public string? Action { get; set; }

    public AuditOutcome? Outcome { get; set; }

    public Channel? Channel { get; set; }

    /// <summary>First day shown (UTC), from its start.</summary>
    public DateTime? FromDate { get; set; }

    /// <summary>Last day shown (UTC), to its end.</summary>
    public DateTime? ToDate { get; set; }

    public DateTimeOffset? From => FromDate is { } day ? new DateTimeOffset(day.Date, TimeSpan.Zero) : null;

    public DateTimeOffset? To => ToDate is { } day ? new DateTimeOffset(day.Date.AddDays(1).AddTicks(-1), TimeSpan.Zero) : null;

    public AuditQuery ToQuery(int pageIndex, int pageSize) => new()
    {
        Text = Clean(Text),
        Actor = Clean(Actor),
        Action = Clean(Action),
        Outcome = Outcome,
        Channel = Channel,
        From = From,
        To = To,
        PageIndex = pageIndex,
        PageSize = pageSize,
    };

    /// <summary>The export endpoint's address with the current filters as its query string.</summary>
    public string ExportUrl()
    {
        var query = new Dictionary<string, string?>
        {
            ["text"] = Clean(Text),
            ["actor"] = Clean(Actor),
            ["action"] = Clean(Action),
            ["outcome"] = Outcome?.ToString(),
            ["channel"] = Channel?.ToString(),
            ["from"] = From?.ToString("O", CultureInfo.InvariantCulture),
            ["to"] = To?.ToString("O", CultureInfo.InvariantCulture),
        };
        return QueryHelpers.AddQueryString(ExportPath, query.Where(p => p.Value is not null));
    }

    public void Clear()
    {
        Text = Actor = Action = null;
        Outcome = null;
        Channel = null;
        FromDate = ToDate = null;
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
