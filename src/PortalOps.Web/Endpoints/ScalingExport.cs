using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using PortalOps.Domain.Common;
using PortalOps.Domain.Scaling;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Endpoints;

/// <summary>The Auto Scaling groups as CSV: the rows the groups page shows this person, with the same filters (the Authorizer's read scope).</summary>
internal static class ScalingExport
{
    public const string Header = "account,region,group,min,desired,max,in_service,pending,unhealthy,launch_template,template_version,zones,target_groups,suspended";

    public static async Task GroupsAsync(HttpContext context, ScalingOperations scaling, IUserStore users, [FromQuery] string? text, [FromQuery] string? region, [FromQuery] bool? unsettled)
    {
        var user = PortalClaims.UserId(context.User) is { } id ? await users.FindAsync(id, context.RequestAborted) : null;
        if (user is not { IsDisabled: false })
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var groups = await scaling.ExportAsync(user.AsActor(Channel.Web), new ScalingGroupQuery { Text = text, Region = region, OnlyUnsettled = unsettled == true }, context.RequestAborted);
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=portalops-scaling-groups.csv";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
        await writer.WriteLineAsync(Header);
        foreach (var g in groups)
        {
            await writer.WriteLineAsync(Row(g));
        }
    }

    public static string Row(ScalingGroup g) => string.Join(',',
        PortalEndpoints.Csv(g.Ref.AccountId), PortalEndpoints.Csv(g.Ref.Region), PortalEndpoints.Csv(g.Name),
        N(g.MinSize), N(g.DesiredCapacity), N(g.MaxSize), N(g.InService), N(g.Pending), N(g.Unhealthy),
        PortalEndpoints.Csv(g.LaunchTemplate), PortalEndpoints.Csv(g.LaunchTemplateVersion),
        PortalEndpoints.Csv(string.Join(' ', g.AvailabilityZones)), PortalEndpoints.Csv(string.Join(' ', g.TargetGroupArns)), PortalEndpoints.Csv(string.Join(' ', g.SuspendedProcesses)));

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);
}
