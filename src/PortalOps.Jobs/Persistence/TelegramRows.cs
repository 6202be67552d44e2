namespace PortalOps.Jobs.Persistence;

// Tables of the Telegram adapter (Jobs/Telegram). Configured in PortalDbContext.ConfigureTelegram.

/// <summary>A portal user's Telegram account: the sender's user id (from.id), never a chat id.</summary>
internal sealed class TelegramLinkRow
{
    public Guid UserId { get; set; }

    public long TelegramUserId { get; set; }

    public string? TelegramUserName { get; set; }

    public DateTimeOffset LinkedAt { get; set; }
}

/// <summary>A one-time linking code from the Profile page; only its SHA-256 is kept.</summary>
internal sealed class TelegramLinkCodeRow
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public string CodeHash { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>What one inline button means. Its id is the button's opaque callback_data; nothing in the button itself is trusted.</summary>
internal sealed class TelegramButtonRow
{
    public string Id { get; set; } = string.Empty;

    public string Kind { get; set; } = string.Empty;

    /// <summary>JSON of the button's arguments (instance, action, filter, page, reason).</summary>
    public string Payload { get; set; } = "{}";

    public Guid? ApprovalId { get; set; }

    /// <summary>The chat the button was sent to; a press from any other chat is refused.</summary>
    public long ChatId { get; set; }

    /// <summary>The Telegram user the button was made for; null in an allowed group, where whoever presses is authorized on their own rights.</summary>
    public long? ForTelegramUserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>A message that carries an approval request, so that it can be edited once somebody decides.</summary>
internal sealed class TelegramApprovalMessageRow
{
    public Guid Id { get; set; }

    public Guid ApprovalId { get; set; }

    public long ChatId { get; set; }

    public int MessageId { get; set; }

    public DateTimeOffset SentAt { get; set; }
}

/// <summary>A group chat an Admin allowed the bot to work in.</summary>
internal sealed class TelegramGroupRow
{
    public long ChatId { get; set; }

    public string Title { get; set; } = string.Empty;

    public string AllowedByName { get; set; } = string.Empty;

    public DateTimeOffset AllowedAt { get; set; }
}

/// <summary>Which notifications a person wants in Telegram, and when not.</summary>
internal sealed class TelegramPreferenceRow
{
    public Guid UserId { get; set; }

    public bool ApprovalRequests { get; set; } = true;

    public bool Decisions { get; set; } = true;

    public bool ActionResults { get; set; } = true;

    public bool Alerts { get; set; } = true;

    /// <summary>Quiet hours start (UTC hour, 0–23); null = no quiet hours.</summary>
    public int? QuietFromHour { get; set; }

    /// <summary>Quiet hours end (UTC hour, exclusive).</summary>
    public int? QuietToHour { get; set; }
}
