using System.Text;
using Microsoft.AspNetCore.Mvc;
using PortalOps.Domain.Common;
using PortalOps.Domain.LoadBalancing;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.LoadBalancing;
using PortalOps.Web.Security;

namespace PortalOps.Web.Endpoints;

/// <summary>The load balancer list as CSV: the same rows the page shows this person with the same filters.</summary>
internal static class LoadBalancingExport
{
    public static async Task ExportAsync(HttpContext context, LoadBalancingReads reads, IUserStore users,
        [FromQuery] string? text, [FromQuery] string? region, [FromQuery] string? kind, [FromQuery] bool? trouble)
    {
        var user = PortalClaims.UserId(context.User) is { } id ? await users.FindAsync(id, context.RequestAborted) : null;
        if (user is not { IsDisabled: false })
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        LoadBalancerKind? parsedKind = null;
        if (!string.IsNullOrEmpty(kind))
        {
            if (!Enum.TryParse<LoadBalancerKind>(kind, ignoreCase: true, out var k))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsync("kind is Application, Network or Gateway.");
                return;
            }

            parsedKind = k;
        }

        var filter = new LoadBalancersFilter { Text = text, Region = region, Kind = parsedKind, OnlyTrouble = trouble == true };
        var rows = await reads.RowsAsync(user.AsActor(Channel.Web), filter.ToQuery(0, LoadBalancerQuery.MaxPageSize), context.RequestAborted);
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=portalops-load-balancers.csv";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
        await writer.WriteAsync(LoadBalancersFilter.ToCsv(rows));
    }
}
