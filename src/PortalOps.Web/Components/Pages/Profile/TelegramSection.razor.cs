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
        _link = await Directory.FindLinkAsync(actor.UserId);
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
        finally
        {
            _busy = false;
        }
    }
}
