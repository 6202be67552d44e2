using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram;
using PortalOps.Jobs.Telegram.Bot;
using PortalOps.Jobs.Telegram.Linking;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Profile;

/// <summary>Links this person's Telegram account (a one-time code and deep link), unlinks it, and holds their notification preferences.</summary>
public sealed partial class TelegramSection
{
    private ChatLink? _link;
    private LinkInvitation? _invitation;
    private Guid _userId;
    private string? _message;
    private string? _directoryProblem;
    private bool _loading = true;
    private bool _busy;

    [Inject]
    public required IOptions<TelegramOptions> Options { get; init; }

    [Inject]
    public required TelegramStatus Status { get; init; }

    [Inject]
    public required IUserDirectory Directory { get; init; }

    [Inject]
    public required TelegramLinking Linking { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    protected override Task OnInitializedAsync() => ReloadAsync();

    private async Task ReloadAsync()
    {
        if (!Options.Value.Enabled)
        {
            return;
        }

        var actor = await Current.ActorAsync();
        _userId = actor.UserId;
        try
        {
            _link = await Directory.FindLinkAsync(actor.UserId);
            _directoryProblem = null;
        }
        catch (UserDirectoryUnavailableException ex)
        {
            // The rest of the Profile page (password, TOTP) and the notification settings do not depend on the directory.
            _link = null;
            _directoryProblem = ex.Message;
        }

        if (_link is not null)
        {
            _invitation = null;
        }

        _loading = false;
    }

    private async Task InviteAsync()
    {
        _busy = true;
        try
        {
            _invitation = await Linking.InviteAsync(await Current.ActorAsync());
            _message = null;
        }
        catch (DomainException ex)
        {
            _message = ex.Message;
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task UnlinkAsync()
    {
        _busy = true;
        try
        {
            var removed = await Linking.UnlinkAsync(await Current.ActorAsync());
            _message = removed ? "Telegram is unlinked: the bot no longer knows you." : "Telegram was not linked.";
            await ReloadAsync();
        }
        catch (UserDirectoryUnavailableException ex)
        {
            _message = $"Telegram could not be unlinked: {ex.Message} Try again later.";
        }
        finally
        {
            _busy = false;
        }
    }
}
