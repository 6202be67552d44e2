using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace PortalOps.Jobs.Telegram.Bot;

public enum BotMode
{
    /// <summary>No token: the bot is off; notifications still reach the web inbox.</summary>
    Off,
    Starting,
    Polling,
    Webhook,

    /// <summary>This node sends (notifications, edits) but another node fetches updates (<c>Telegram:Polling</c> is false here).</summary>
    SendOnly,

    /// <summary>Telegram refused the token, or could not be reached; <see cref="TelegramStatus.Problem"/> says which.</summary>
    Failed,
}

/// <summary>What the bot is doing now, for the pages (never the token itself).</summary>
public sealed class TelegramStatus
{
    private readonly Lock _gate = new();

    public BotMode Mode { get; private set; } = BotMode.Off;

    /// <summary>The bot's @name from getMe, for deep links.</summary>
    public string? BotUserName { get; private set; }

    public string? Problem { get; private set; }

    public DateTimeOffset? LastUpdateAt { get; private set; }

    public long UpdatesHandled { get; private set; }

    public void Set(BotMode mode, string? problem = null)
    {
        lock (_gate)
        {
            Mode = mode;
            Problem = problem;
        }
    }

    public void SetBot(string? userName)
    {
        lock (_gate)
        {
            BotUserName = userName;
        }
    }

    public void Handled(DateTimeOffset at)
    {
        lock (_gate)
        {
            LastUpdateAt = at;
            UpdatesHandled++;
        }
    }

    /// <summary>The deep link that starts a chat with the bot and sends <c>/start code</c>; null until the bot's name is known.</summary>
    public string? DeepLink(string code) => BotUserName is null ? null : $"https://t.me/{BotUserName}?start={Uri.EscapeDataString(code)}";

    /// <summary>The webhook's secret_token: the configured one, or one derived from the bot token (the same on every node, useless without the token).</summary>
    public static string WebhookSecret(TelegramOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.WebhookSecret))
        {
            return options.WebhookSecret;
        }

        var key = Encoding.UTF8.GetBytes(options.Token ?? string.Empty);
        return Base64Url.EncodeToString(HMACSHA256.HashData(key, "PortalOps Telegram webhook"u8));
    }
}
