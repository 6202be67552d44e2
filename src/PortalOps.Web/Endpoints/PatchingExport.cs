using System.Text;
using Microsoft.AspNetCore.Mvc;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Endpoints;

/// <summary>The patch compliance table as CSV: the same rows the Compliance page shows this person (the Authorizer's read scope).</summary>
internal static class PatchingExport
{
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
}
