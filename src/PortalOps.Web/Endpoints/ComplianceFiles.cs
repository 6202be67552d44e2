using System.Globalization;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Compliance;
using PortalOps.Web.Security;

namespace PortalOps.Web.Endpoints;

/// <summary>Compliance downloads beside the findings CSV: policies as YAML files (one, or all in a zip) and the exceptions list as CSV.</summary>
public static class ComplianceFiles
{
    /// <summary>The JSON Schema of a policy document, for editors that complete and check YAML against one.</summary>
    public static IResult Schema() => Results.Text(PolicySchema.Json, "application/schema+json", Encoding.UTF8);

    public static async Task PolicyAsync(HttpContext context, PolicyEditor editor, IUserStore users, string id)
    {
        if (await ActorAsync(context, users) is null)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var files = await editor.ExportAsync(context.RequestAborted);
        if (!files.TryGetValue($"{id}.yaml", out var yaml))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = "application/yaml; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename={id}.yaml";
        await context.Response.WriteAsync(yaml, context.RequestAborted);
    }

    public static async Task AllPoliciesAsync(HttpContext context, PolicyEditor editor, IUserStore users)
    {
        if (await ActorAsync(context, users) is null)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var files = await editor.ExportAsync(context.RequestAborted);
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                await using var entry = await zip.CreateEntry(name, CompressionLevel.Fastest).OpenAsync(context.RequestAborted);
                await entry.WriteAsync(Encoding.UTF8.GetBytes(text), context.RequestAborted);
            }
        }

        context.Response.ContentType = "application/zip";
        context.Response.Headers.ContentDisposition = "attachment; filename=portalops-policies.zip";
        buffer.Position = 0;
        await buffer.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    public static async Task ExceptionsAsync(HttpContext context, ExceptionList exceptions, IUserStore users, [FromQuery] bool? active, [FromQuery] string? policy, [FromQuery] string? text)
    {
        if (await ActorAsync(context, users) is not { } actor)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var page = await exceptions.QueryAsync(actor, new ExceptionQuery { Active = active, PolicyId = policy, Text = text, PageSize = int.MaxValue }, context.RequestAborted);
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=portalops-exceptions.csv";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
        await writer.WriteLineAsync("policy,finding,tag_key,tag_value,reason,owner,granted_by,granted_at,expires_at,active,open_findings_covered");
        foreach (var r in page.Items)
        {
            var w = r.Waiver;
            await writer.WriteLineAsync(string.Join(',', PortalEndpoints.Csv(w.PolicyId), w.FindingId?.ToString() ?? string.Empty, PortalEndpoints.Csv(w.TagKey), PortalEndpoints.Csv(w.TagValue),
                PortalEndpoints.Csv(w.Reason), PortalEndpoints.Csv(w.Owner), PortalEndpoints.Csv(w.GrantedBy), w.GrantedAt.ToString("O", CultureInfo.InvariantCulture),
                w.ExpiresAt.ToString("O", CultureInfo.InvariantCulture), r.Active ? "yes" : "no", r.Covered.ToString(CultureInfo.InvariantCulture)));
        }
    }

    private static async Task<Actor?> ActorAsync(HttpContext context, IUserStore users)
    {
        var user = PortalClaims.UserId(context.User) is { } id ? await users.FindAsync(id, context.RequestAborted) : null;
        return user is { IsDisabled: false } ? user.AsActor(Channel.Web) : null;
    }
}
