using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Patching;
using PortalOps.Web.Security;

namespace PortalOps.Web.Endpoints;

/// <summary>
/// The patching tables as CSV, read through the Authorizer's read scope: the Compliance page's table, and the Managed instances
/// page's rows with its filters (every page of them, read from the store page by page).
/// </summary>
internal static class PatchingExport
{
    public const string InstancesHeader = "instance_id,name,account,region,ping_status,platform,agent_version,last_ping,reason,fix";

    public const int PageSize = PatchStateQuery.MaxPageSize;

    public static async Task ComplianceAsync(HttpContext context, IPatchComplianceSummary summary, IUserStore users, [FromQuery] PatchComplianceDimension? by)
    {
        var user = PortalClaims.UserId(context.User) is { } id ? await users.FindAsync(id, context.RequestAborted) : null;
        if (user is not { IsDisabled: false })
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var dimension = by ?? PatchComplianceDimension.Group;
        var rows = await summary.SummarizeAsync(Authorizer.ReadScopeOf(user.AsActor(Channel.Web)), dimension, context.RequestAborted);
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=portalops-patch-compliance.csv";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
        await writer.WriteAsync(PatchCompliance.ToCsv(rows, dimension));
    }

    public static async Task InstancesAsync(
        HttpContext context, IPatchStateStore states, IUserStore users, TimeProvider clock, [FromQuery] string? text, [FromQuery] string? agent, [FromQuery] string? compliance)
    {
        var user = PortalClaims.UserId(context.User) is { } id ? await users.FindAsync(id, context.RequestAborted) : null;
        if (user is not { IsDisabled: false })
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        if (!ManagedInstancesFilter.TryParse(text, agent, compliance, out var filter, out var error))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync(error!, context.RequestAborted);
            return;
        }

        var scope = Authorizer.ReadScopeOf(user.AsActor(Channel.Web));
        var now = clock.GetUtcNow();
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=portalops-managed-instances.csv";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
        await writer.WriteLineAsync(InstancesHeader);
        for (var index = 0; ; index++)
        {
            var page = await states.QueryAsync(filter.ToQuery(scope, now, index, PageSize), context.RequestAborted);
            foreach (var state in page.Items)
            {
                await writer.WriteLineAsync(InstanceRow(state));
            }

            if (page.Items.Count < PageSize)
            {
                break;
            }
        }
    }

    /// <summary>One managed instance as a CSV line (RFC 4180 quoting, formula-looking values defused).</summary>
    public static string InstanceRow(InstancePatchState state)
    {
        var agent = state.Agent;
        return string.Join(',',
            PortalEndpoints.Csv(state.Instance.InstanceId), PortalEndpoints.Csv(state.Name), PortalEndpoints.Csv(state.Instance.AccountId), PortalEndpoints.Csv(state.Instance.Region),
            agent.Ping.ToString(), PortalEndpoints.Csv(agent.PlatformName), PortalEndpoints.Csv(agent.AgentVersion),
            agent.LastPing?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? string.Empty,
            PortalEndpoints.Csv(agent.Reason), PortalEndpoints.Csv(agent.Fix));
    }
}
