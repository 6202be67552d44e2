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
    private const int MaxRemembered = 10_000;

    private readonly Lock _gate = new();
    private readonly HashSet<int> _delayed = [];
    private readonly Queue<int> _delayedOrder = new();

    public BotMode Mode { get; private set; } = BotMode.Off;

    /// <summary>The bot's @name from getMe, for deep links.</summary>
    public string? BotUserName { get; private set; }

    public string? Problem { get; private set; }

    public DateTimeOffset? LastUpdateAt { get; private set; }

    public long UpdatesHandled { get; private set; }

    /// <summary>An optional Bot API call that failed at start (e.g. <c>setMyCommands</c>): the bot works without it.</summary>
    public string? Warning { get; private set; }

    /// <summary>Why the user directory could not say who sent the last update, while updates wait for it; null once it answers again.</summary>
    public string? DirectoryProblem { get; private set; }

    /// <summary>Since when updates wait for the user directory.</summary>
    public DateTimeOffset? DirectoryProblemSince { get; private set; }

    /// <summary>Updates that waited for the user directory (each counted once), since the start.</summary>
    public long UpdatesDelayed { get; private set; }

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

    public void Warn(string? warning)
    {
        lock (_gate)
        {
            Warning = warning;
        }
    }

    /// <summary>
    /// The user directory could not say who sent an update. True the first time for this update, when the person is told it waits;
    /// false for its retries.
    /// </summary>
    public bool DirectoryUnavailable(int updateId, string problem, DateTimeOffset at)
    {
        lock (_gate)
        {
            DirectoryProblemSince ??= at;
            DirectoryProblem = problem;
            if (!_delayed.Add(updateId))
            {
                return false;
            }

            _delayedOrder.Enqueue(updateId);
            while (_delayedOrder.Count > MaxRemembered)
            {
                _delayed.Remove(_delayedOrder.Dequeue());
            }

            UpdatesDelayed++;
            return true;
        }
    }

    /// <summary>The user directory answered.</summary>
    public void DirectoryAnswered()
    {
        if (DirectoryProblem is null)
        {
            return;
        }

        lock (_gate)
        {
            DirectoryProblem = null;
            DirectoryProblemSince = null;
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
