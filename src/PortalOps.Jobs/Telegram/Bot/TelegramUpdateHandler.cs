using Microsoft.Extensions.Logging;
using Telegram.Bot;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram.Outbox;

namespace PortalOps.Jobs.Telegram.Bot;

/// <summary>What became of an update.</summary>
public enum UpdateOutcome
{
    /// <summary>Handled (or ignored, or dropped as unusable): Telegram may forget it.</summary>
    Handled,

    /// <summary>The user directory could not say who sent it: keep it and hand it in again later.</summary>
    RetryLater,
}

/// <summary>An update whose sender is known (null for kinds the bot ignores), ready for its handler.</summary>
internal sealed record PreparedUpdate(Update Update, BotChat? Chat);

/// <summary>
/// The one dispatcher: every update, from polling or the webhook, comes here in its own DI scope. It finds who sent it
/// (by <c>from.id</c>) and hands it to the handler for its kind. It never throws: a bad update is logged and dropped. When the user
/// directory cannot answer, the update is not dropped: the person is told once that PortalOps is temporarily unavailable, and the
/// caller hands the update in again later (<see cref="UpdateOutcome.RetryLater"/>).
/// </summary>
internal sealed partial class TelegramUpdateHandler
{
    public const string TemporarilyUnavailable =
        "⏳ PortalOps is temporarily unavailable: it cannot look up who you are right now. Your message is kept and will be answered as soon as it is back.";

    /// <summary>The answer to a press while the directory is away (Telegram shows at most 200 characters).</summary>
    private const string PressKept = "⏳ PortalOps is temporarily unavailable. Your press is kept and is carried out as soon as PortalOps is back.";

    private readonly IUserDirectory _directory;
    private readonly CommandHandler _commands;
    private readonly CallbackHandler _callbacks;
    private readonly TelegramStatus _status;
    private readonly TelegramOutbox _outbox;
    private readonly ITelegramBotClient _client;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;

    public TelegramUpdateHandler(
        IUserDirectory directory, CommandHandler commands, CallbackHandler callbacks, TelegramStatus status, TelegramOutbox outbox, ITelegramBotClient client,
        TimeProvider clock, ILogger<TelegramUpdateHandler> logger)
    {
        _directory = directory;
        _commands = commands;
        _callbacks = callbacks;
        _status = status;
        _outbox = outbox;
        _client = client;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Finds the sender, then handles the update (the webhook's way: one request, one update).</summary>
    public async Task<UpdateOutcome> HandleAsync(Update update, CancellationToken cancellationToken)
    {
        var prepared = await PrepareAsync(update, cancellationToken);
        if (prepared is null)
        {
            return UpdateOutcome.RetryLater;
        }

        await HandleAsync(prepared, cancellationToken);
        return UpdateOutcome.Handled;
    }

    /// <summary>
    /// Finds who sent the update. Null when the user directory cannot answer now (the person has been told, the first time);
    /// the caller keeps the update and tries again later.
    /// </summary>
    public async Task<PreparedUpdate?> PrepareAsync(Update update, CancellationToken cancellationToken)
    {
        try
        {
            var chat = update.Type switch
            {
                UpdateType.Message when update.Message is { From: { IsBot: false } from, Chat: { } where } =>
                    await ChatAsync(where.Id, where.Type, from, cancellationToken),
                UpdateType.CallbackQuery when update.CallbackQuery is { From: { } from } query =>
                    await ChatAsync(query.Message?.Chat.Id ?? 0, query.Message?.Chat.Type ?? ChatType.Private, from, cancellationToken),
                _ => null,
            };
            return new PreparedUpdate(update, chat);
        }
        catch (UserDirectoryUnavailableException ex)
        {
            LogWaiting(_logger, update.Id, ex.Message);
            if (_status.DirectoryUnavailable(update.Id, ex.Message, _clock.GetUtcNow()))
            {
                await TellUnavailableAsync(update, cancellationToken);
            }

            return null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // Not the directory's outage (the portal's own user store, say): logged and dropped, as any handler failure.
            LogFailed(_logger, ex, update.Id, update.Type);
            return new PreparedUpdate(update, null);
        }
    }

    /// <summary>Hands an update whose sender is known to the handler for its kind.</summary>
    public async Task HandleAsync(PreparedUpdate prepared, CancellationToken cancellationToken)
    {
        var update = prepared.Update;
        try
        {
            switch (update.Type)
            {
                case UpdateType.Message when prepared.Chat is { } chat:
                    await _commands.HandleAsync(update.Message!, chat, cancellationToken);
                    break;
                case UpdateType.CallbackQuery when prepared.Chat is { } chat:
                    await _callbacks.HandleAsync(update.CallbackQuery!, chat, cancellationToken);
                    break;
                default:
                    // Edited messages, channel posts, member changes, inline queries …: nothing to do.
                    LogIgnored(_logger, update.Type);
                    break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (UserDirectoryUnavailableException ex)
        {
            // The sender was known, but a later step needed the directory (linking, say): too late to keep the update, so say so.
            LogFailedUnavailable(_logger, update.Id, ex.Message);
            await TellUnavailableAsync(update, cancellationToken, kept: false);
        }
        catch (Exception ex)
        {
            LogFailed(_logger, ex, update.Id, update.Type);
        }
        finally
        {
            _status.Handled(_clock.GetUtcNow());
        }
    }

    private async Task<BotChat> ChatAsync(long chatId, ChatType type, User from, CancellationToken cancellationToken)
    {
        var user = await _directory.FindByChatUserAsync(from.Id, cancellationToken);
        _status.DirectoryAnswered();
        return new BotChat(chatId, type, from, user);
    }

    /// <summary>Tells the person why nothing happens yet: a reply in a private chat, the answer to a button press. Groups are left in peace.</summary>
    private async Task TellUnavailableAsync(Update update, CancellationToken cancellationToken, bool kept = true)
    {
        var text = kept ? TemporarilyUnavailable : "⏳ PortalOps is temporarily unavailable: it cannot look up Telegram links right now. Please try again in a few minutes.";
        try
        {
            switch (update.Type)
            {
                case UpdateType.Message when update.Message is { From.IsBot: false, Chat.Type: ChatType.Private } message:
                    _outbox.Enqueue(new OutboundMessage(message.Chat.Id, text));
                    break;
                case UpdateType.CallbackQuery when update.CallbackQuery is { } query:
                    await _client.AnswerCallbackQuery(query.Id, kept ? PressKept : text, showAlert: true, cancellationToken: cancellationToken);
                    break;
                default:
                    break;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogNoticeFailed(_logger, update.Id, ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignored a Telegram update of type {Type}.")]
    private static partial void LogIgnored(ILogger logger, UpdateType type);

    [LoggerMessage(Level = LogLevel.Error, Message = "Telegram update {UpdateId} ({Type}) could not be handled.")]
    private static partial void LogFailed(ILogger logger, Exception exception, int updateId, UpdateType type);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram update {UpdateId} waits: {Problem}")]
    private static partial void LogWaiting(ILogger logger, int updateId, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram update {UpdateId} could not be finished: {Problem}")]
    private static partial void LogFailedUnavailable(ILogger logger, int updateId, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not tell the sender of Telegram update {UpdateId} that it waits ({What}).")]
    private static partial void LogNoticeFailed(ILogger logger, int updateId, string what);
}
