using System.Globalization;
using System.Text;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Endpoints;

/// <summary>Protected instances with their RPO status as CSV: the same rows the Backups page shows this person (the Authorizer's read scope).</summary>
internal static class BackupsExport
{
    public static async Task ProtectedAsync(HttpContext context, IBackupProtectionStore protection, IUserStore users, TimeProvider clock)
    {
        var user = PortalClaims.UserId(context.User) is { } id ? await users.FindAsync(id, context.RequestAborted) : null;
        if (user is not { IsDisabled: false })
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var rows = await protection.ListAsync(Authorizer.ReadScopeOf(user.AsActor(Channel.Web)), context.RequestAborted);
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=portalops-backups-protected.csv";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
        await writer.WriteAsync(ToCsv(rows, clock.GetUtcNow()));
    }

    /// <summary>Instances the person may see whose tags ask for backups and that no enabled policy selects.</summary>
    public static async Task UnprotectedAsync(HttpContext context, IInventory inventory, IBackupPolicyStore policies, IUserStore users,
        Microsoft.Extensions.Options.IOptions<PortalOps.Jobs.Backups.BackupsOptions> options)
    {
        var user = PortalClaims.UserId(context.User) is { } id ? await users.FindAsync(id, context.RequestAborted) : null;
        if (user is not { IsDisabled: false })
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var rows = await BackupCoverage.FindAsync(inventory, policies, user.Scopes, options.Value.ProtectTagKey, context.RequestAborted);
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=portalops-backups-unprotected.csv";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
        await writer.WriteAsync(UnprotectedCsv(rows));
    }

    internal static string UnprotectedCsv(IEnumerable<UnprotectedInstance> rows)
    {
        var csv = new StringBuilder("Account,Region,InstanceId,Name,State,Tag,Value,Reason\n");
        foreach (var u in rows)
        {
            csv.AppendJoin(',', PortalEndpoints.Csv(u.Instance.AccountId), PortalEndpoints.Csv(u.Instance.Region), PortalEndpoints.Csv(u.Instance.InstanceId),
                PortalEndpoints.Csv(u.Instance.Name), u.Instance.State.ToString(), PortalEndpoints.Csv(u.TagKey), PortalEndpoints.Csv(u.TagValue), PortalEndpoints.Csv(u.Reason));
            csv.Append('\n');
        }

        return csv.ToString();
    }

    internal static string ToCsv(IEnumerable<ProtectedInstance> rows, DateTimeOffset now)
    {
        var csv = new StringBuilder("Account,Region,InstanceId,Name,Policy,LastBackupUtc,LastCopyUtc,RpoHours,RpoStatus,DueByUtc,LastError\n");
        foreach (var p in rows)
        {
            csv.AppendJoin(',',
                PortalEndpoints.Csv(p.Instance.AccountId), PortalEndpoints.Csv(p.Instance.Region), PortalEndpoints.Csv(p.Instance.InstanceId),
                PortalEndpoints.Csv(p.Name), PortalEndpoints.Csv(p.PolicyName), Time(p.LastBackupAt), p.Copies ? Time(p.LastCopyAt) : string.Empty,
                p.Rpo.TotalHours.ToString("0.##", CultureInfo.InvariantCulture), p.StatusAt(now).ToString(), Time(p.DueBy), PortalEndpoints.Csv(p.LastError));
            csv.Append('\n');
        }

        return csv.ToString();
    }

    private static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? string.Empty;
}
