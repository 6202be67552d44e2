using System.Globalization;
using System.Text;
using PortalOps.Domain.Common;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Endpoints;

/// <summary>The realized-savings table as CSV: the applied recommendations the person may see, with before/after and what they saved so far.</summary>
public static class CostSavingsExport
{
    public const int PageSize = 500;

    public static async Task SavingsAsync(HttpContext context, SavingsTracker savings, IUserStore users, TimeProvider clock)
    {
        var user = PortalClaims.UserId(context.User) is { } id ? await users.FindAsync(id, context.RequestAborted) : null;
        if (user is not { IsDisabled: false })
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var actor = user.AsActor(Channel.Web);
        var now = clock.GetUtcNow();
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=portalops-savings.csv";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
        await writer.WriteLineAsync("kind,account,region,resource_id,resource_name,change,monthly_before_usd,monthly_after_usd,monthly_saving_usd,state,requested_by,requested_at,realized_at,saved_to_date_usd,outcome");
        for (var index = 0; ; index++)
        {
            var page = await savings.QueryAsync(actor, null, index, PageSize, context.RequestAborted);
            foreach (var s in page.Items)
            {
                await writer.WriteLineAsync(string.Join(',', s.Kind, s.Resource.AccountId, s.Resource.Region, PortalEndpoints.Csv(s.Resource.InstanceId), PortalEndpoints.Csv(s.ResourceName),
                    PortalEndpoints.Csv(s.Description), Num(s.MonthlyBefore), Num(s.MonthlyAfter), Num(s.MonthlySaving), s.State, PortalEndpoints.Csv(s.RequestedBy),
                    s.RequestedAt.ToString("O", CultureInfo.InvariantCulture), s.RealizedAt?.ToString("O", CultureInfo.InvariantCulture) ?? string.Empty,
                    Num(decimal.Round(s.SavedUntil(now), 2)), PortalEndpoints.Csv(s.Outcome)));
            }

            if (page.Items.Count < PageSize)
            {
                break;
            }
        }
    }

    private static string Num(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
