using Microsoft.AspNetCore.Mvc;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Compliance.Reports;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Endpoints;

/// <summary>
/// The compliance report as a PDF download: the page's filters, the reader's read scope from the Authorizer (the same one the
/// findings grid and the CSV export use), a period of up to a year (the last 30 days unless named). The download is audited.
/// </summary>
public static class ComplianceReportExport
{
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromDays(30);
    public static readonly TimeSpan LongestPeriod = TimeSpan.FromDays(366);

    public static async Task DownloadAsync(
        HttpContext context, ComplianceReportBuilder builder, IComplianceReportWriter writer, IUserStore users, IAuditLog audit, TimeProvider clock,
        [FromQuery] Domain.Compliance.Severity? severity, [FromQuery] string? policy, [FromQuery] string? text, [FromQuery] DateTimeOffset? from, [FromQuery] DateTimeOffset? to)
    {
        var user = PortalClaims.UserId(context.User) is { } id ? await users.FindAsync(id, context.RequestAborted) : null;
        if (user is not { IsDisabled: false })
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var end = to ?? clock.GetUtcNow();
        var start = from ?? end - DefaultPeriod;
        if (Problem(start, end) is { } problem)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync(problem, context.RequestAborted);
            return;
        }

        var actor = user.AsActor(Channel.Web);
        var request = new ComplianceReportRequest(ComplianceReportRequest.Describe(actor.Scopes), Authorizer.ReadScopeOf(actor), start, end, $"{user.DisplayName} ({user.Role})")
        {
            MinimumSeverity = severity, PolicyId = policy, Text = text,
        };
        var report = await builder.BuildAsync(request, context.RequestAborted);
        using var buffer = new MemoryStream();
        writer.Write(report, buffer);

        await audit.AppendAsync(
            new AuditEvent(actor.Name, actor.UserId, Channel.Web, "compliance.report", "compliance", AuditOutcome.Succeeded,
                $"PDF report of {report.OpenFindings.Count} open finding(s), scope {request.ScopeLabel}{(request.FiltersText is { Length: > 0 } f ? ", " + f : string.Empty)}."),
            context.RequestAborted);
        context.Response.ContentType = writer.ContentType;
        context.Response.Headers.ContentDisposition = $"attachment; filename={Jobs.Compliance.Reports.ComplianceReportPdf.FileName(report)}";
        context.Response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    /// <summary>A kept (scheduled) report's PDF; not found unless the reader's scopes cover every scope the report covers.</summary>
    public static async Task DownloadKeptAsync(HttpContext context, Guid id, IComplianceReportStore reports, IUserStore users)
    {
        var user = PortalClaims.UserId(context.User) is { } userId ? await users.FindAsync(userId, context.RequestAborted) : null;
        if (user is not { IsDisabled: false })
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        if (await reports.OpenAsync(id, Authorizer.ReadScopeOf(user.AsActor(Channel.Web)), context.RequestAborted) is not { } kept)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = "application/pdf";
        context.Response.Headers.ContentDisposition = $"attachment; filename={kept.Report.FileName}";
        context.Response.ContentLength = kept.Content.Length;
        await context.Response.Body.WriteAsync(kept.Content, context.RequestAborted);
    }

    /// <summary>Why a period is refused, or null.</summary>
    public static string? Problem(DateTimeOffset from, DateTimeOffset to) =>
        from >= to ? "The period's start (from) must lie before its end (to)."
        : to - from > LongestPeriod ? $"A report covers at most {LongestPeriod.TotalDays:0} days; narrow from/to."
        : null;
}
