using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Patching;
using PortalOps.Jobs.Telegram.Approvals;
using PortalOps.Jobs.Telegram.Outbox;

namespace PortalOps.Jobs.Telegram.Patching;

/// <summary>
/// Tells people how a patch run goes. In Telegram, the run's approval message (the one with Approve / Deny) becomes its progress:
/// each wave change edits that one message in every approver's chat, rather than sending another. A run that fails, stops at the
/// window's end or is denied also notifies the person who started it (web inbox and Telegram).
/// </summary>
public sealed partial class PatchRunMessages(
    IOptions<TelegramOptions> options,
    ApprovalMessages approvalMessages,
    TelegramOutbox outbox,
    INotifier notifier,
    ILogger<PatchRunMessages> logger) : IPatchRunNotifier
{
    public async Task ChangedAsync(PatchRun run, CancellationToken cancellationToken = default)
    {
        try
        {
            if (options.Value.Enabled && run.ApprovalId is { } approvalId)
            {
                var text = Text(run);
                foreach (var (chatId, messageId) in await approvalMessages.ListAsync(approvalId, cancellationToken))
                {
                    outbox.Enqueue(new OutboundMessage(chatId, text, EditMessageId: messageId));
                }
            }

            if (run.Status is PatchRunStatus.Failed or PatchRunStatus.Stopped or PatchRunStatus.Succeeded)
            {
                var title = run.Status switch
                {
                    PatchRunStatus.Failed => $"Patch run for {run.GroupName} failed",
                    PatchRunStatus.Stopped => $"Patch run for {run.GroupName} stopped",
                    _ => $"Patch run for {run.GroupName} finished",
                };
                await notifier.NotifyAsync(new Notification(NotificationKind.ActionCompleted, title, $"{run.StatusReason} {run.Progress()}", [run.RequestedBy]), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex, run.Id);
        }
    }

    /// <summary>The progress message: group, status, one line per wave, the failure if any.</summary>
    public static string Text(PatchRun run)
    {
        var icon = run.Status switch
        {
            PatchRunStatus.Succeeded => "✅",
            PatchRunStatus.Failed => "❌",
            PatchRunStatus.Stopped => "⏹",
            PatchRunStatus.Denied => "🚫",
            _ => "🩹",
        };
        var lines = new List<string>
        {
            $"{icon} {TelegramHtml.Bold($"Patch run · {run.GroupName}")} — {TelegramHtml.Escape(run.Status.ToString())}",
            TelegramHtml.Escape($"Window {run.WindowName} until {run.WindowEndsAt:HH:mm} UTC · reboot: {run.Reboot}"),
        };
        foreach (var w in run.Waves)
        {
            var done = run.InWave(w.Index).Count(t => t.Status == PatchTargetStatus.Succeeded);
            var failed = run.InWave(w.Index).Count(t => t.Status == PatchTargetStatus.Failed);
            lines.Add(TelegramHtml.Escape($"{w.Label}: {w.Status.ToString().ToLowerInvariant()} · {done}/{w.Size} patched{(failed > 0 ? $" · {failed} failed" : string.Empty)}"));
        }

        var skipped = run.Targets.Count(t => t.Status == PatchTargetStatus.Skipped);
        if (skipped > 0)
        {
            lines.Add(TelegramHtml.Escape($"{skipped} skipped (agent offline or no baseline)"));
        }

        if (run.StatusReason is { Length: > 0 } reason)
        {
            lines.Add(TelegramHtml.Escape(reason));
        }

        return string.Join("\n", lines);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Progress of patch run {RunId} could not be passed on.")]
    private static partial void LogFailed(ILogger logger, Exception exception, Guid runId);
}
