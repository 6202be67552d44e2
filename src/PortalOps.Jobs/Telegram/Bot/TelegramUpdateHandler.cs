using Microsoft.Extensions.Logging;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Telegram.Bot;

/// <summary>
/// The one dispatcher: every update, from polling or the webhook, comes here in its own DI scope. It finds who sent it
/// (by <c>from.id</c>) and hands it to the handler for its kind. It never throws: a bad update is logged and dropped.
/// </summary>
internal sealed partial class TelegramUpdateHandler
{
    private readonly IUserDirectory _directory;
    private readonly CommandHandler _commands;
    private readonly CallbackHandler _callbacks;
    private readonly TelegramStatus _status;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;

    public TelegramUpdateHandler(IUserDirectory directory, CommandHandler commands, CallbackHandler callbacks, TelegramStatus status, TimeProvider clock, ILogger<TelegramUpdateHandler> logger)
    {
        _directory = directory;
        _commands = commands;
        _callbacks = callbacks;
        _status = status;
        _clock = clock;
        _logger = logger;
    }

    public async Task HandleAsync(Update update, CancellationToken cancellationToken)
    {
        try
        {
            switch (update.Type)
            {
                case UpdateType.Message when update.Message is { From: { IsBot: false } from, Chat: { } chat } message:
                    await _commands.HandleAsync(message, await ChatAsync(chat.Id, chat.Type, from, cancellationToken), cancellationToken);
                    break;
                case UpdateType.CallbackQuery when update.CallbackQuery is { From: { } from } query:
                    var where = query.Message?.Chat;
                    await _callbacks.HandleAsync(query, await ChatAsync(where?.Id ?? 0, where?.Type ?? ChatType.Private, from, cancellationToken), cancellationToken);
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
        catch (Exception ex)
        {
            LogFailed(_logger, ex, update.Id, update.Type);
        }
        finally
        {
            _status.Handled(_clock.GetUtcNow());
        }
    }

    private async Task<BotChat> ChatAsync(long chatId, ChatType type, User from, CancellationToken cancellationToken) =>
        new(chatId, type, from, await _directory.FindByChatUserAsync(from.Id, cancellationToken));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignored a Telegram update of type {Type}.")]
    private static partial void LogIgnored(ILogger logger, UpdateType type);

    [LoggerMessage(Level = LogLevel.Error, Message = "Telegram update {UpdateId} ({Type}) could not be handled.")]
    private static partial void LogFailed(ILogger logger, Exception exception, int updateId, UpdateType type);
}
