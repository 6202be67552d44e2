using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Compliance.Reports;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Compliance;

/// <summary>The kept scheduled reports this person may open (their scopes cover the report's), newest first, with download links.</summary>
public sealed partial class ComplianceReportsList
{
    public const int Shown = 20;

    private IReadOnlyList<StoredReport> _reports = [];

    [Inject]
    public required IComplianceReportStore Reports { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    protected override async Task OnInitializedAsync() =>
        _reports = await Reports.ListAsync(Authorizer.ReadScopeOf(await Current.ActorAsync()), Shown);

    private static string Sent(StoredReport r)
    {
        var telegram = r.TelegramChatId is null ? null
            : r.DeliveredAt is { } at ? $"to Telegram {at.UtcDateTime:yyyy-MM-dd HH:mm} UTC"
            : "Telegram not yet: " + (r.DeliveryProblem ?? "waiting");
        var email = r.EmailTo.Count == 0 ? null
            : r.EmailedAt is { } mailed ? $"e-mailed to {r.EmailTo.Count} {mailed.UtcDateTime:yyyy-MM-dd HH:mm} UTC"
            : "e-mail not yet: " + (r.EmailProblem ?? "waiting");
        return telegram is null && email is null ? "kept only" : string.Join("; ", new[] { telegram, email }.Where(s => s is not null));
    }
}
