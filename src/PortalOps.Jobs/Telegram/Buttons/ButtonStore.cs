using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Telegram.Buttons;

public enum ButtonKind
{
    /// <summary>Show one instance with its action buttons.</summary>
    ShowInstance,

    /// <summary>Another page of an instance list.</summary>
    Page,

    /// <summary>Start / Stop / Reboot / Terminate pressed: ask to confirm, stating the blast radius.</summary>
    Action,

    /// <summary>The confirmation: hand the action to the pipeline.</summary>
    Confirm,

    /// <summary>Leave the confirmation without acting.</summary>
    Cancel,

    Approve,

    /// <summary>Deny pressed: offer the reasons.</summary>
    Deny,

    /// <summary>A reason chosen: deny with it.</summary>
    DenyWithReason,

    /// <summary>Back from the reasons to Approve / Deny.</summary>
    ShowApproval,

    /// <summary>Acknowledge a monitoring alert.</summary>
    AcknowledgeAlert,

    /// <summary>Snooze a monitoring alert for an hour.</summary>
    SnoozeAlert,

    /// <summary>Show a compliance policy's open findings (policy id in <see cref="ButtonArguments.Filter"/>).</summary>
    CompliancePolicy,

    /// <summary>Ask to remediate one finding's resource through the pipeline (one press, one request).</summary>
    RemediateFinding,

    /// <summary>Ask for a 30-day exception for one finding through the pipeline (one press, one request).</summary>
    ExceptFinding,

    /// <summary>Apply a cost recommendation (through the pipeline, where it waits for approval).</summary>
    ApplyRecommendation,

    /// <summary>Show one Auto Scaling group (the group's reference in <see cref="ButtonArguments.Instance"/>).</summary>
    ShowGroup,

    /// <summary>Move a group's desired capacity by <see cref="ButtonArguments.Action"/> ("+1" / "-1") through the pipeline; acts once.</summary>
    ScaleGroup,

    /// <summary>
    /// Keep a resource (its off-hours key in <see cref="ButtonArguments.Instance"/>) running until <see cref="ButtonArguments.Filter"/>
    /// (round-trip time): an override through the pipeline; acts once.
    /// </summary>
    KeepRunning,
    /// <summary>Restore the instance (<see cref="ButtonArguments.Instance"/>) in its DR region from its latest copies, through the pipeline; acts once.</summary>
    ConfirmRestore,

    /// <summary>Show the off-hours schedules that may be attached to an idle instance's cost recommendation (<see cref="ButtonArguments.Recommendation"/>).</summary>
    ScheduleRecommendation,

    /// <summary>
    /// Attach the off-hours schedule named in <see cref="ButtonArguments.Filter"/> to the recommendation's instance (a tag edit through the
    /// pipeline, where it waits for approval).
    /// </summary>
    AttachSchedule,
}

/// <summary>The arguments a button carries, kept server-side.</summary>
public sealed record ButtonArguments(string? Instance = null, string? Action = null, string? Filter = null, int Page = 0, string? Reason = null, Guid? Alert = null, Guid? Finding = null, string? Recommendation = null);

/// <summary>A button as stored.</summary>
public sealed record StoredButton(
    string Id, ButtonKind Kind, ButtonArguments Arguments, Guid? ApprovalId, long ChatId, long? ForTelegramUserId, DateTimeOffset ExpiresAt, DateTimeOffset? UsedAt);

/// <summary>
/// Inline buttons whose callback_data is an opaque, random 16-character id (96 bits). What the button does, for whom,
/// in which chat and until when is kept here; a press is judged on this record and on the presser, never on the data it brings.
/// </summary>
public sealed class ButtonStore(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    public const int IdLength = 16;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A button to be stored with others in one go (<see cref="AddAsync"/>).</summary>
    public StoredButton New(ButtonKind kind, ButtonArguments arguments, long chatId, long? forTelegramUserId, DateTimeOffset expiresAt, Guid? approvalId = null) =>
        new(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12)), kind, arguments, approvalId, chatId, forTelegramUserId, expiresAt, null);

    public async Task AddAsync(IEnumerable<StoredButton> buttons, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.TelegramButtons.AddRange(buttons.Select(b => new TelegramButtonRow
        {
            Id = b.Id,
            Kind = b.Kind.ToString(),
            Payload = JsonSerializer.Serialize(b.Arguments, Json),
            ApprovalId = b.ApprovalId,
            ChatId = b.ChatId,
            ForTelegramUserId = b.ForTelegramUserId,
            CreatedAt = now,
            ExpiresAt = b.ExpiresAt,
        }));
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<StoredButton?> FindAsync(string? id, CancellationToken cancellationToken = default)
    {
        if (id is null || id.Length != IdLength || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return null;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.TelegramButtons.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, cancellationToken);
        if (row is null || !Enum.TryParse<ButtonKind>(row.Kind, out var kind))
        {
            return null;
        }

        var arguments = JsonSerializer.Deserialize<ButtonArguments>(row.Payload, Json) ?? new ButtonArguments();
        return new StoredButton(row.Id, kind, arguments, row.ApprovalId, row.ChatId, row.ForTelegramUserId, row.ExpiresAt, row.UsedAt);
    }

    /// <summary>Uses a one-shot button up; true exactly once.</summary>
    public async Task<bool> UseAsync(string id, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.TelegramButtons
            .Where(b => b.Id == id && b.UsedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(b => b.UsedAt, now), cancellationToken) == 1;
    }

    /// <summary>Removes buttons that expired more than a day ago.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var before = clock.GetUtcNow().AddDays(-1);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.TelegramButtons.Where(b => b.ExpiresAt < before).ExecuteDeleteAsync(cancellationToken);
    }
}
