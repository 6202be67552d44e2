using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Endpoints;

/// <summary>The findings grid as CSV: the same filters, read through the Authorizer's read scope, page by page from the store.</summary>
public static class ComplianceExport
{
    public const int PageSize = FindingQuery.MaxPageSize;

    public static async Task ExportFindingsAsync(
        HttpContext context, IFindingStore findings, IUserStore users, [FromQuery] FindingStatus? status, [FromQuery] Domain.Compliance.Severity? severity,
        [FromQuery] string? policy, [FromQuery] string? text)
    {
        var user = PortalClaims.UserId(context.User) is { } id ? await users.FindAsync(id, context.RequestAborted) : null;
        if (user is not { IsDisabled: false })
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var visibleTo = Authorizer.ReadScopeOf(user.AsActor(Channel.Web));
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=portalops-findings.csv";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
        await writer.WriteLineAsync("severity,policy,resource_type,resource_id,resource_name,account,region,owner,status,evidence,first_seen,last_seen,resolved_at");
        for (var index = 0; ; index++)
        {
            var page = await findings.QueryAsync(new FindingQuery
            {
                Status = status, MinimumSeverity = severity, PolicyId = policy, Text = text, PageIndex = index, PageSize = PageSize, VisibleTo = visibleTo,
            }, context.RequestAborted);
            foreach (var f in page.Items)
            {
                await writer.WriteLineAsync(string.Join(',', f.Severity, PortalEndpoints.Csv(f.PolicyId), f.ResourceType.Name(), PortalEndpoints.Csv(f.ResourceId),
                    PortalEndpoints.Csv(f.ResourceName), f.AccountId, f.Region, PortalEndpoints.Csv(f.Owner), f.Status, PortalEndpoints.Csv(f.Evidence),
                    f.FirstSeen.ToString("O", CultureInfo.InvariantCulture), f.LastSeen.ToString("O", CultureInfo.InvariantCulture),
                    f.ResolvedAt?.ToString("O", CultureInfo.InvariantCulture) ?? string.Empty));
            }

            if (page.Items.Count < PageSize)
            {
                break;
            }
        }
    }
}
