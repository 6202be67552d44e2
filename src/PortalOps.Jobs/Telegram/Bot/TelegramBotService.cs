using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using PortalOps.Jobs.Telegram.Buttons;

namespace PortalOps.Jobs.Telegram.Bot;

/// <summary>
/// Starts the bot: getMe (the token is checked and the bot's name learnt), the command menu, then either the webhook
/// (registered with its secret_token) or long polling, with one DI scope per update. Off without a token; a token Telegram
/// refuses stops the bot with a clear status; an unreachable Telegram is retried with a back-off. The command menu is optional:
/// when setMyCommands fails, the failure is logged and shown as a warning, and the bot starts without it.
/// <para>
/// Polling confirms an update to Telegram (the next getUpdates' offset) only once its sender is known: while the user directory
/// cannot answer, the offset stays at the first such update, which is tried again with a growing pause (1 s to 30 s), so that it
/// is answered when the directory is back rather than lost. Updates after it that were already handed out are not handled twice.
/// </para>
/// </summary>
public sealed partial class TelegramBotService(
    IServiceScopeFactory scopes, IOptions<TelegramOptions> options, TelegramStatus status, ILogger<TelegramBotService> logger, PollerLease lease) : BackgroundService
{
    // The offset that confirms what this node has handled (see ConfirmHandledAsync).
    private int? _offset;

    /// <summary>Updates handled at once in polling mode.</summary>
    public const int MaxUpdatesAtOnce = 8;

    /// <summary>The longest pause before an update that waits for the user directory is tried again.</summary>
    public static readonly TimeSpan MaxWaitBackoff = TimeSpan.FromSeconds(30);

    public static IReadOnlyList<BotCommand> Commands { get; } =
    [
        new() { Command = "instances", Description = "Your instances, a page at a time" },
        new() { Command = "instance", Description = "One instance by id or name, with actions" },
        new() { Command = "approvals", Description = "Requests waiting for your decision" },
        new() { Command = "alerts", Description = "Monitoring alerts" },
        new() { Command = "cost", Description = "Cost overview" },
        new() { Command = "savings", Description = "Top cost recommendations, with Apply" },
        new() { Command = "groups", Description = "Your Auto Scaling groups, with desired −1 / +1" },
        new() { Command = "lb", Description = "Load balancers' target health" },
        new() { Command = "digest", Description = "Weekly cost digest in this chat: on or off" },
        new() { Command = "whoami", Description = "Who PortalOps thinks you are" },
        new() { Command = "help", Description = "What the bot can do" },
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            status.Set(BotMode.Off, "No bot token is configured (Telegram__Token).");
            return;
        }

        status.Set(BotMode.Starting);
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            var step = "getMe";
            try
            {
                await using (var scope = scopes.CreateAsyncScope())
                {
                    var client = scope.ServiceProvider.GetRequiredService<ITelegramBotClient>();
                    var me = await client.GetMe(stoppingToken);
                    status.SetBot(me.Username);
                    await RegisterCommandsAsync(client, stoppingToken);
                    if (settings.UsesWebhook)
                    {
                        step = "setWebhook";
                        await client.SetWebhook(settings.WebhookUrl!, secretToken: TelegramStatus.WebhookSecret(settings),
                            allowedUpdates: [UpdateType.Message, UpdateType.CallbackQuery], cancellationToken: stoppingToken);
                        status.Set(BotMode.Webhook);
                        LogStarted(logger, me.Username, "webhook");
                        await PurgeButtonsForeverAsync(stoppingToken);
                        return;
                    }

                    if (!settings.Polling)
                    {
                        status.Set(BotMode.SendOnly, "This node does not fetch updates (Telegram:Polling is false, or Jobs:Role is web): another node fetches them.");
                        LogStarted(logger, me.Username, "sending only");
                        await PurgeButtonsForeverAsync(stoppingToken);
                        return;
                    }

                    step = "deleteWebhook";
                    await client.DeleteWebhook(cancellationToken: stoppingToken);
                    LogStarted(logger, me.Username, "long polling");
                }

                await PollUnderLeaseAsync(stoppingToken);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (ApiRequestException ex) when (ex.ErrorCode is 401 or 404)
            {
                status.Set(BotMode.Failed, "Telegram refused the bot token (401 Unauthorized). Check Telegram__Token with BotFather; the bot stays off until the portal restarts.");
                LogTokenRefused(logger);
                return;
            }
            catch (Exception ex)
            {
                var what = WhatFailed(step, ex);
                status.Set(BotMode.Failed, $"Telegram cannot be reached ({what}); trying again in {backoff.TotalSeconds:0} s.");
                LogUnreachable(logger, what, backoff.TotalSeconds);
                await Task.Delay(backoff, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromMinutes(2).Ticks));
            }
        }
    }

    /// <summary>
    /// Polls while this node holds the <see cref="PollerLease"/> (at once on SQLite); while another node holds it, this one only
    /// sends, and takes over when that node stops or dies.
    /// </summary>
    private async Task PollUnderLeaseAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            PollerLease.Held held;
            try
            {
                held = await lease.AcquireAsync(
                    () => status.Set(BotMode.SendOnly, "Another node fetches Telegram's updates; this node sends, and takes over if that node stops."),
                    stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            bool lost;
            await using (held)
            {
                using var polling = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, held.Lost);
                status.Set(BotMode.Polling);
                if (lease.IsShared)
                {
                    LogLeaseTaken(logger);
                }

                await PollAsync(polling.Token);
                lost = held.Lost.IsCancellationRequested;
            }

            if (status.Mode == BotMode.Failed && !stoppingToken.IsCancellationRequested && !lost)
            {
                // Telegram refused the token: the bot stays off (the status says why), and the lease is free for nobody's use.
                return;
            }

            if (!stoppingToken.IsCancellationRequested)
            {
                status.Set(BotMode.SendOnly, "This node lost the Telegram poller lease; it tries to take it again.");
            }
        }
    }

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        using var gate = new SemaphoreSlim(MaxUpdatesAtOnce, MaxUpdatesAtOnce);
        var running = new List<Task>();
        _offset = null;
        try
        {
            await PollAsync(gate, running, stoppingToken);
        }
        finally
        {
            await Task.WhenAll(running).ContinueWith(_ => { }, TaskScheduler.Default);
            await ConfirmHandledAsync();
        }
    }

    /// <summary>
    /// Confirms to Telegram the updates this node handled (a last <c>getUpdates</c> with the offset, answering at once), so that
    /// the node that polls next does not receive them again. Updates fetched but not handled stay for that node.
    /// </summary>
    private async Task ConfirmHandledAsync()
    {
        if (_offset is not { } offset)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ITelegramBotClient>().GetUpdates(offset, 1, 0, [UpdateType.Message, UpdateType.CallbackQuery], timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The next poller receives them again: handlers are safe to run twice (decisions are taken once).
            LogUnreachable(logger, WhatFailed("getUpdates", ex), 0);
        }
    }

    private async Task PollAsync(SemaphoreSlim gate, List<Task> running, CancellationToken stoppingToken)
    {
        int? offset = null;
        var backoff = TimeSpan.FromSeconds(1);
        var waitBackoff = TimeSpan.FromSeconds(1);

        // Updates at or past the offset that were already handed to a handler: Telegram sends them again while an earlier one waits.
        var started = new HashSet<int>();
        var lastPurge = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            Update[] updates;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var client = scope.ServiceProvider.GetRequiredService<ITelegramBotClient>();
                updates = await client.GetUpdates(offset, 100, options.Value.PollTimeoutSeconds, [UpdateType.Message, UpdateType.CallbackQuery], stoppingToken);
                backoff = TimeSpan.FromSeconds(1);
                if (status.Mode != BotMode.Polling)
                {
                    status.Set(BotMode.Polling);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (ApiRequestException ex) when (ex.ErrorCode is 401 or 404)
            {
                status.Set(BotMode.Failed, "Telegram refused the bot token (401 Unauthorized). Check Telegram__Token with BotFather; the bot stays off until the portal restarts.");
                LogTokenRefused(logger);
                return;
            }
            catch (Exception ex)
            {
                // Network trouble, Telegram's own errors, or an answer the client could not read: wait and poll again.
                var wait = ex is ApiRequestException { ErrorCode: 429, Parameters.RetryAfter: { } after } ? TimeSpan.FromSeconds(after) : backoff;
                var what = WhatFailed("getUpdates", ex);
                status.Set(BotMode.Failed, $"Telegram cannot be reached ({what}); trying again in {wait.TotalSeconds:0} s.");
                LogUnreachable(logger, what, wait.TotalSeconds);
                await Task.Delay(wait, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));
                continue;
            }

            var waiting = await DispatchAsync(updates.Where(u => !started.Contains(u.Id)).ToList(), started, gate, running, stoppingToken);
            if (updates.Length > 0)
            {
                // The next getUpdates confirms everything before the offset to Telegram.
                offset = waiting ?? updates.Max(u => u.Id) + 1;
                _offset = offset;
                started.RemoveWhere(id => id < offset);
            }

            if (waiting is not null)
            {
                LogUpdatesWait(logger, waiting.Value, waitBackoff.TotalSeconds);
                await Task.Delay(waitBackoff, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                waitBackoff = TimeSpan.FromTicks(Math.Min(waitBackoff.Ticks * 2, MaxWaitBackoff.Ticks));
            }
            else
            {
                waitBackoff = TimeSpan.FromSeconds(1);
            }

            if (DateTimeOffset.UtcNow - lastPurge > TimeSpan.FromHours(1))
            {
                lastPurge = DateTimeOffset.UtcNow;
                await PurgeButtonsAsync(stoppingToken);
            }
        }
    }

    /// <summary>
    /// Finds the senders of a batch (at once, a few at a time), then hands each update whose sender is known to a handler in the
    /// background, in order. Returns the id of the first update that waits for the user directory, if any.
    /// </summary>
    private async Task<int?> DispatchAsync(List<Update> updates, HashSet<int> started, SemaphoreSlim gate, List<Task> running, CancellationToken stoppingToken)
    {
        var prepared = new (AsyncServiceScope Scope, PreparedUpdate? Update)?[updates.Count];
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, updates.Count),
                new ParallelOptions { MaxDegreeOfParallelism = MaxUpdatesAtOnce, CancellationToken = stoppingToken },
                async (i, cancellationToken) =>
                {
                    var scope = scopes.CreateAsyncScope();
                    prepared[i] = (scope, null);
                    prepared[i] = (scope, await scope.ServiceProvider.GetRequiredService<TelegramUpdateHandler>().PrepareAsync(updates[i], cancellationToken));
                });
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            foreach (var entry in prepared)
            {
                if (entry is { } made)
                {
                    await made.Scope.DisposeAsync();
                }
            }

            throw;
        }

        int? waiting = null;
        for (var i = 0; i < updates.Count; i++)
        {
            var (scope, update) = prepared[i]!.Value;
            if (update is null)
            {
                waiting ??= updates[i].Id;
                await scope.DisposeAsync();
                continue;
            }

            // Several updates are handled at once, so that one person's slow cloud call never holds up everyone else.
            started.Add(updates[i].Id);
            await gate.WaitAsync(stoppingToken);
            running.RemoveAll(t => t.IsCompleted);
            running.Add(Task.Run(
                async () =>
                {
                    try
                    {
                        await scope.ServiceProvider.GetRequiredService<TelegramUpdateHandler>().HandleAsync(update, stoppingToken);
                    }
                    finally
                    {
                        await scope.DisposeAsync();
                        gate.Release();
                    }
                },
                CancellationToken.None));
        }

        return waiting;
    }

    /// <summary>The command menu. Optional: when Telegram refuses it, the bot works without it, and the pages say why.</summary>
    private async Task RegisterCommandsAsync(ITelegramBotClient client, CancellationToken stoppingToken)
    {
        try
        {
            await client.SetMyCommands(Commands, cancellationToken: stoppingToken);
            status.Warn(null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            var what = How(ex);
            status.Warn($"setMyCommands failed ({what}): the command menu is not registered; commands still work. It is tried again at the next start.");
            LogCommandsFailed(logger, what);
        }
    }

    private async Task PurgeButtonsForeverAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await PurgeButtonsAsync(stoppingToken);
            await Task.Delay(TimeSpan.FromHours(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task PurgeButtonsAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ButtonStore>().PurgeAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPurgeFailed(logger, ex);
        }
    }

    /// <summary>Which call failed and how, without anything from the request (its address carries the token).</summary>
    private static string WhatFailed(string call, Exception ex) => $"{call}: {How(ex)}";

    private static string How(Exception ex) => ex is ApiRequestException api ? $"Telegram answered {api.ErrorCode}" : ex.GetType().Name;

    [LoggerMessage(Level = LogLevel.Information, Message = "Telegram bot @{BotName} is on ({Mode}).")]
    private static partial void LogStarted(ILogger logger, string? botName, string mode);

    [LoggerMessage(Level = LogLevel.Information, Message = "This node holds the Telegram poller lease and fetches updates.")]
    private static partial void LogLeaseTaken(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Telegram refused the bot token; the bot is off. Check Telegram__Token.")]
    private static partial void LogTokenRefused(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram cannot be reached ({What}); trying again in {Seconds} s.")]
    private static partial void LogUnreachable(ILogger logger, string what, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "setMyCommands failed ({What}); the bot starts without its command menu.")]
    private static partial void LogCommandsFailed(ILogger logger, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram update {UpdateId} and those after it wait for the user directory; trying again in {Seconds} s.")]
    private static partial void LogUpdatesWait(ILogger logger, int updateId, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Expired Telegram buttons could not be removed.")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}

/// <summary>Drains the outbound queue for as long as the host runs.</summary>
internal sealed class TelegramOutboxService(Outbox.TelegramOutbox outbox, IOptions<TelegramOptions> options) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.Value.Enabled ? outbox.RunAsync(stoppingToken) : Task.CompletedTask;
}
