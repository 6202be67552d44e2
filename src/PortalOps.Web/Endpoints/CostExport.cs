using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Common;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Endpoints;

/// <summary>The cost page's tables as CSV: spend for the accounts the person's scope covers whole, and the recommendations they may see.</summary>
public static class CostExport
{
    public const int PageSize = 500;

    public static async Task SpendAsync(
        HttpContext context, CostOverview overview, ICloudProvider cloud, IUserStore users, [FromQuery] DateOnly from, [FromQuery] DateOnly to,
        [FromQuery] SpendGranularity? granularity, [FromQuery] SpendDimension? groupBy, [FromQuery] string? tag, [FromQuery] string? account)
    {
        if (await ActorAsync(context, users) is not { } actor)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var visible = CostOverview.VisibleAccounts(actor, cloud.Accounts.Select(a => a.Id));
        SpendReport report;
        try
        {
            report = await overview.SpendAsync(
                new SpendQuery(from, to, granularity ?? SpendGranularity.Daily, groupBy ?? SpendDimension.Service, string.IsNullOrWhiteSpace(account) ? [] : [account], tag),
                visible, context.RequestAborted);
        }
        catch (CostRuleException e)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync(e.Message, context.RequestAborted);
            return;
        }

        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=portalops-spend.csv";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
        await writer.WriteLineAsync("period_start,group,amount,currency,as_of");
        foreach (var line in report.Lines)
        {
            await writer.WriteLineAsync(string.Join(',', line.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), PortalEndpoints.Csv(line.Group),
                line.Amount.ToString(CultureInfo.InvariantCulture), report.Currency, report.AsOf.ToString("O", CultureInfo.InvariantCulture)));
        }
    }

    public static async Task RecommendationsAsync(
        HttpContext context, CostRecommendations recommendations, IUserStore users, TimeProvider clock, [FromQuery] RecommendationKind? kind,
        [FromQuery] Confidence? confidence, [FromQuery] string? text, [FromQuery] bool? dismissed)
    {
        if (await ActorAsync(context, users) is not { } actor)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=portalops-recommendations.csv";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
        await writer.WriteLineAsync("kind,account,region,resource_id,resource_name,current,target,monthly_saving_usd,confidence,evidence,found_at,dismissed_until,dismissed_reason");
        var now = clock.GetUtcNow();
        for (var index = 0; ; index++)
        {
            var page = await recommendations.QueryAsync(actor, new RecommendationQuery(now, index, PageSize)
            {
                Kind = kind, MinimumConfidence = confidence, Text = text, IncludeDismissed = dismissed == true,
            }, context.RequestAborted);
            foreach (var v in page.Items)
            {
                var r = v.Recommendation;
                await writer.WriteLineAsync(string.Join(',', r.Kind, r.AccountId, r.Region, PortalEndpoints.Csv(r.ResourceId), PortalEndpoints.Csv(r.ResourceName),
                    PortalEndpoints.Csv(r.CurrentType), PortalEndpoints.Csv(r.TargetType), r.MonthlySaving.ToString(CultureInfo.InvariantCulture), r.Confidence,
                    PortalEndpoints.Csv(string.Join(" | ", r.Evidence)), v.FoundAt.ToString("O", CultureInfo.InvariantCulture),
                    v.Dismissal?.Until.ToString("O", CultureInfo.InvariantCulture) ?? string.Empty, PortalEndpoints.Csv(v.Dismissal?.Reason)));
            }

            if (page.Items.Count < PageSize)
            {
                break;
            }
        }
    }

    private static async Task<Actor?> ActorAsync(HttpContext context, IUserStore users)
    {
        var user = PortalClaims.UserId(context.User) is { } id ? await users.FindAsync(id, context.RequestAborted) : null;
        return user is { IsDisabled: false } ? user.AsActor(Channel.Web) : null;
    }
}
