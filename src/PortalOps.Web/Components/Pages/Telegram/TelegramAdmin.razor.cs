using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram;
using PortalOps.Jobs.Telegram.Bot;
using PortalOps.Jobs.Telegram.Groups;
using PortalOps.Jobs.Telegram.Outbox;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Telegram;

/// <summary>The bot's state (never its token), the user directory's health, and the list of group chats it may work in.</summary>
public sealed partial class TelegramAdmin
{
    private IReadOnlyList<AllowedGroup> _groups = [];
    private string? _chatId;
    private string? _title;
    private string? _problem;
    private UserDirectoryHealth? _health;

    [Inject]
    public required IOptions<TelegramOptions> Options { get; init; }

    [Inject]
    public required TelegramStatus Status { get; init; }

    [Inject]
    public required TelegramOutbox Outbox { get; init; }

    [Inject]
    public required ITelegramGroups Groups { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required IUserDirectory Directory { get; init; }

    protected override async Task OnInitializedAsync()
    {
        _groups = await Groups.ListAsync();
        await CheckAsync();
    }

    private async Task CheckAsync() => _health = await Directory.CheckAsync();

    private async Task AllowAsync()
    {
        if (!long.TryParse(_chatId?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var chatId))
        {
            _problem = "A chat id is a whole number, such as -1001234567890.";
            return;
        }

        _problem = await Groups.AllowAsync(await Current.ActorAsync(), chatId, _title);
        if (_problem is null)
        {
            _chatId = _title = null;
            _groups = await Groups.ListAsync();
        }
    }

    private async Task RemoveAsync(long chatId)
    {
        _problem = await Groups.RemoveAsync(await Current.ActorAsync(), chatId);
        _groups = await Groups.ListAsync();
    }
}
