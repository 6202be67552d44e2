using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Common;
using PortalOps.Jobs.Telegram.Notifications;

namespace PortalOps.Web.Components.Pages.Profile;

/// <summary>Which events reach this person in Telegram, and their quiet hours.</summary>
public sealed partial class TelegramPreferences
{
    private NotificationPreferences? _preferences;
    private bool _approvalRequests;
    private bool _decisions;
    private bool _actionResults;
    private bool _alerts;
    private int? _quietFrom;
    private int? _quietTo;
    private string? _result;
    private bool _saved;

    [Inject]
    public required IPreferenceStore Preferences { get; init; }

    [Parameter, EditorRequired]
    public Guid UserId { get; set; }

    protected override async Task OnInitializedAsync()
    {
        _preferences = await Preferences.GetAsync(UserId);
        (_approvalRequests, _decisions, _actionResults, _alerts, _quietFrom, _quietTo) =
            (_preferences.ApprovalRequests, _preferences.Decisions, _preferences.ActionResults, _preferences.Alerts, _preferences.QuietFromHour, _preferences.QuietToHour);
    }

    private async Task SaveAsync()
    {
        var wanted = new NotificationPreferences(_approvalRequests, _decisions, _actionResults, _alerts, _quietFrom, _quietTo);
        try
        {
            await Preferences.SaveAsync(UserId, wanted);
            _preferences = wanted;
            (_saved, _result) = (true, "Saved.");
        }
        catch (DomainException ex)
        {
            (_saved, _result) = (false, ex.Message);
        }
    }
}
