using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace PortalOps.Jobs.Telegram;

/// <summary>
/// The "Telegram" section. The bot is off until <see cref="Token"/> is set, and the token comes from the environment
/// (<c>Telegram__Token</c>) or user secrets, never from appsettings.json. Nothing here prints it.
/// </summary>
public sealed class TelegramOptions
{
    public const string Section = "Telegram";

    /// <summary>The bot token from BotFather. Secret: never logged, never shown.</summary>
    public string? Token { get; set; }

    /// <summary>Another Bot API server (a local <c>telegram-bot-api</c>, or a test double), e.g. <c>http://127.0.0.1:8081</c>.</summary>
    public string? ApiBaseUrl { get; set; }

    /// <summary>The public HTTPS address of <c>/telegram/webhook</c>. Set → webhook mode; empty → long polling.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>The <c>secret_token</c> Telegram sends with each webhook call. Empty → derived from the token, the same on every node.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>
    /// Whether this node fetches updates by long polling (when no webhook is set). Telegram serves one poller per bot: with several
    /// nodes, leave it on for one and set it to false on the others, which then only send.
    /// </summary>
    public bool Polling { get; set; } = true;

    /// <summary>Seconds one long poll (getUpdates) waits for updates.</summary>
    public int PollTimeoutSeconds { get; set; } = 30;

    /// <summary>Minutes a linking code from the Profile page stays valid.</summary>
    public int LinkCodeMinutes { get; set; } = 10;

    /// <summary>Minutes a button (other than Approve / Deny, which live as long as their request) stays valid.</summary>
    public int ButtonMinutes { get; set; } = 60;

    public TelegramOutboxOptions Outbox { get; set; } = new();

    public TelegramDirectoryOptions Directory { get; set; } = new();

    public bool Enabled => !string.IsNullOrWhiteSpace(Token);

    public bool UsesWebhook => !string.IsNullOrWhiteSpace(WebhookUrl);

    /// <summary>The token with all but the bot id hidden, for pages that say which bot is configured.</summary>
    public static string Mask(string? token)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return "(none)";
        }

        var colon = token.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? $"{token[..colon]}:••••••••" : "••••••••";
    }
}

/// <summary>Telegram's limits, as the outbound queue keeps them (section "Telegram:Outbox").</summary>
public sealed class TelegramOutboxOptions
{
    /// <summary>Least time between two messages to one private chat (Telegram: about one a second).</summary>
    public TimeSpan ChatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Least time between two messages to one group (Telegram: 20 a minute).</summary>
    public TimeSpan GroupInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Messages a second over all chats (Telegram: 30).</summary>
    public int GlobalPerSecond { get; set; } = 30;

    /// <summary>Sends in flight at once (each to a different chat).</summary>
    public int Concurrency { get; set; } = 8;

    /// <summary>Tries of one message on a transient error (network, 5xx) before it is dropped (waits double from 0.25 s up to 30 s: about 1.5 minutes in all).</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Messages waiting at most; past it the oldest alerts are refused with a warning.</summary>
    public int Capacity { get; set; } = 100_000;
}

/// <summary>Where Telegram links are kept (section "Telegram:Directory").</summary>
public sealed class TelegramDirectoryOptions
{
    public const string Database = "database";
    public const string DynamoDb = "dynamodb";

    /// <summary><c>database</c> (default): the portal database; <c>dynamodb</c>: a DynamoDB table.</summary>
    public string Provider { get; set; } = Database;

    /// <summary>The DynamoDB table (provider <c>dynamodb</c>).</summary>
    public string? TableName { get; set; }

    /// <summary>The DynamoDB region (default: the SDK's own chain).</summary>
    public string? Region { get; set; }

    /// <summary>Another DynamoDB endpoint (LocalStack, moto); default: AWS.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>
    /// Whether the start creates the DynamoDB table when it does not exist (on-demand capacity, key <c>pk</c>). False (default): a missing
    /// table stops the start with a message that says how to create it.
    /// </summary>
    public bool CreateTable { get; set; }

    /// <summary>Seconds one DynamoDB call may take (retries included) before the directory counts as unavailable.</summary>
    public int TimeoutSeconds { get; set; } = 5;

    public bool UsesDynamoDb => string.Equals(Provider?.Trim(), DynamoDb, StringComparison.OrdinalIgnoreCase);
}

internal sealed partial class TelegramOptionsValidator : IValidateOptions<TelegramOptions>
{
    private const string S = TelegramOptions.Section;

    public ValidateOptionsResult Validate(string? name, TelegramOptions o)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(o.Token) && !TokenShape().IsMatch(o.Token.Trim()))
        {
            // Never repeat the value: it is a secret even when it is wrong.
            failures.Add($"{S}:Token does not look like a bot token from BotFather (digits, a colon, then letters, digits, '_' or '-').");
        }

        if (!string.IsNullOrWhiteSpace(o.ApiBaseUrl) && !IsHttpUrl(o.ApiBaseUrl))
        {
            failures.Add($"{S}:ApiBaseUrl must be an absolute http or https address (it is '{o.ApiBaseUrl}').");
        }

        if (!string.IsNullOrWhiteSpace(o.WebhookUrl) && !IsHttpUrl(o.WebhookUrl))
        {
            failures.Add($"{S}:WebhookUrl must be an absolute https address of /telegram/webhook (it is '{o.WebhookUrl}').");
        }

        if (!string.IsNullOrWhiteSpace(o.WebhookSecret) && !SecretShape().IsMatch(o.WebhookSecret))
        {
            failures.Add($"{S}:WebhookSecret must be 1 to 256 letters, digits, '_' or '-'.");
        }

        if (o.PollTimeoutSeconds is < 0 or > 50)
        {
            failures.Add($"{S}:PollTimeoutSeconds must be between 0 and 50 (it is {o.PollTimeoutSeconds}).");
        }

        if (o.LinkCodeMinutes is < 1 or > 60)
        {
            failures.Add($"{S}:LinkCodeMinutes must be between 1 and 60 (it is {o.LinkCodeMinutes}).");
        }

        if (o.ButtonMinutes is < 1 or > 7 * 24 * 60)
        {
            failures.Add($"{S}:ButtonMinutes must be between 1 and 10080 (it is {o.ButtonMinutes}).");
        }

        var box = o.Outbox;
        if (box.ChatInterval < TimeSpan.Zero || box.ChatInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{S}:Outbox:ChatInterval must be between 00:00:00 and 00:01:00 (it is {box.ChatInterval}).");
        }

        if (box.GroupInterval < TimeSpan.Zero || box.GroupInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{S}:Outbox:GroupInterval must be between 00:00:00 and 00:01:00 (it is {box.GroupInterval}).");
        }

        if (box.GlobalPerSecond is < 1 or > 1000)
        {
            failures.Add($"{S}:Outbox:GlobalPerSecond must be between 1 and 1000 (it is {box.GlobalPerSecond}).");
        }

        if (box.Concurrency is < 1 or > 64)
        {
            failures.Add($"{S}:Outbox:Concurrency must be between 1 and 64 (it is {box.Concurrency}).");
        }

        if (box.MaxAttempts is < 1 or > 20)
        {
            failures.Add($"{S}:Outbox:MaxAttempts must be between 1 and 20 (it is {box.MaxAttempts}).");
        }

        if (box.Capacity is < 100 or > 10_000_000)
        {
            failures.Add($"{S}:Outbox:Capacity must be between 100 and 10000000 (it is {box.Capacity}).");
        }

        var directory = o.Directory;
        if (!directory.UsesDynamoDb && !string.Equals(directory.Provider?.Trim(), TelegramDirectoryOptions.Database, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{S}:Directory:Provider must be one of database, dynamodb (it is '{directory.Provider}').");
        }

        if (directory.UsesDynamoDb && string.IsNullOrWhiteSpace(directory.TableName))
        {
            failures.Add($"{S}:Directory:TableName is required when {S}:Directory:Provider is dynamodb.");
        }

        if (!string.IsNullOrWhiteSpace(directory.ServiceUrl) && !IsHttpUrl(directory.ServiceUrl))
        {
            failures.Add($"{S}:Directory:ServiceUrl must be an absolute http or https address (it is '{directory.ServiceUrl}').");
        }

        if (directory.CreateTable && !directory.UsesDynamoDb)
        {
            failures.Add($"{S}:Directory:CreateTable applies only when {S}:Directory:Provider is dynamodb (it is '{directory.Provider}').");
        }

        if (directory.TimeoutSeconds is < 1 or > 60)
        {
            failures.Add($"{S}:Directory:TimeoutSeconds must be between 1 and 60 (it is {directory.TimeoutSeconds}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    [GeneratedRegex("^[0-9]{1,20}:[A-Za-z0-9_-]{20,100}$")]
    private static partial Regex TokenShape();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}$")]
    private static partial Regex SecretShape();
}
