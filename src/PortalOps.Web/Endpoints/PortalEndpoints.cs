using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Web.Configuration;
using PortalOps.Web.Security;

namespace PortalOps.Web.Endpoints;

/// <summary>The few plain HTTP endpoints beside the pages: health, single sign-on start, logout and the audit export.</summary>
public static class PortalEndpoints
{
    public static IEndpointRouteBuilder MapPortalEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPortalHealth();

        app.MapGet("/login/sso", (HttpContext context, IOptions<OidcOptions> oidc, string? returnUrl) =>
            oidc.Value.Enabled
                ? Results.Challenge(new AuthenticationProperties { RedirectUri = LocalUrl(returnUrl) }, [OidcLogin.Scheme])
                : Results.Redirect("/login"))
            .AllowAnonymous();

        app.MapPost("/logout", PortalSessions.LogoutAsync).RequireAuthorization();

        app.MapGet("/audit/export.csv", ExportAuditAsync).RequireAuthorization(Policies.Viewer);
        app.MapGet("/compliance/findings.csv", ComplianceExport.ExportFindingsAsync).RequireAuthorization(Policies.Viewer);
        app.MapGet("/compliance/report.pdf", ComplianceReportExport.DownloadAsync).RequireAuthorization(Policies.Viewer);
        app.MapGet("/compliance/reports/{id:guid}.pdf", ComplianceReportExport.DownloadKeptAsync).RequireAuthorization(Policies.Viewer);
        app.MapGet("/patching/compliance.csv", PatchingExport.ComplianceAsync).RequireAuthorization(Policies.Viewer);
        app.MapGet("/patching/instances.csv", PatchingExport.InstancesAsync).RequireAuthorization(Policies.Viewer);
        app.MapGet("/backups/protected.csv", BackupsExport.ProtectedAsync).RequireAuthorization(Policies.Viewer);
        app.MapGet("/backups/unprotected.csv", BackupsExport.UnprotectedAsync).RequireAuthorization(Policies.Viewer);
        app.MapGet("/compliance/policy-files", ComplianceFiles.AllPoliciesAsync).RequireAuthorization(Policies.Viewer);
        app.MapGet(Components.Pages.Compliance.PolicyEditorPage.SchemaPath, ComplianceFiles.Schema).RequireAuthorization(Policies.Viewer);
        app.MapGet("/compliance/policy-files/{id}", ComplianceFiles.PolicyAsync).RequireAuthorization(Policies.Viewer);
        app.MapGet("/compliance/exceptions.csv", ComplianceFiles.ExceptionsAsync).RequireAuthorization(Policies.Viewer);
        app.MapGet("/costs/spend.csv", CostExport.SpendAsync).RequireAuthorization(Policies.Viewer);
        app.MapGet("/costs/recommendations.csv", CostExport.RecommendationsAsync).RequireAuthorization(Policies.Viewer);
        app.MapGet("/costs/savings.csv", CostSavingsExport.SavingsAsync).RequireAuthorization(Policies.Viewer);
        app.MapGet("/scaling/groups.csv", ScalingExport.GroupsAsync).RequireAuthorization(Policies.Viewer);
        app.MapGet("/load-balancing/load-balancers.csv", LoadBalancingExport.ExportAsync).RequireAuthorization(Policies.Viewer);
        return app;
    }

    /// <summary>Only paths on this site; anything else (another host, a scheme) goes home.</summary>
    public static string LocalUrl(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";

    private static async Task ExportAuditAsync(
        HttpContext context, IAuditLog audit, IUserStore users, [FromQuery] string? text, [FromQuery(Name = "actor")] string? actorName, [FromQuery] string? action,
        [FromQuery] AuditOutcome? outcome, [FromQuery] Channel? channel, [FromQuery] DateTimeOffset? from, [FromQuery] DateTimeOffset? to)
    {
        // The same rows the Audit page shows this person (the Authorizer's audit read scope), read fresh from the store.
        var user = PortalClaims.UserId(context.User) is { } id ? await users.FindAsync(id, context.RequestAborted) : null;
        if (user is not { IsDisabled: false })
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var actor = user.AsActor(Channel.Web);
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=portalops-audit.csv";
        var query = new AuditQuery
        {
            Text = text, Actor = actorName, Action = action, Outcome = outcome, Channel = channel, From = from, To = to,
            VisibleTo = Authorizer.AuditReadScopeOf(actor),
        };
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
        await writer.WriteLineAsync("sequence,at,actor,channel,action,target,outcome,detail,aws_request_id,hash");
        await foreach (var r in audit.StreamAsync(query, context.RequestAborted))
        {
            var e = r.Event;
            await writer.WriteLineAsync(string.Join(',',
                r.Sequence.ToString(CultureInfo.InvariantCulture), r.At.ToString("O", CultureInfo.InvariantCulture), Csv(e.ActorName), e.Channel.ToString(),
                Csv(e.Action), Csv(e.Target), e.Outcome.ToString(), Csv(e.Detail), Csv(e.AwsRequestId), r.Hash));
        }

        await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, Channel.Web, "audit.export", "audit", AuditOutcome.Succeeded, "CSV export."), context.RequestAborted);
    }

    // RFC 4180 quoting, and a leading quote for values a spreadsheet would run as a formula.
    internal static string Csv(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
