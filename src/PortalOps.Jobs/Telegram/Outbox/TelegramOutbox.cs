using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;
using PortalOps.Domain.Approvals;
using PortalOps.Jobs.Telegram.Approvals;

namespace PortalOps.Jobs.Telegram.Outbox;

/// <summary>One message to send, or one message to edit (<see cref="EditMessageId"/>), in HTML parse mode.</summary>
public sealed record OutboundMessage(long ChatId, string Html, InlineKeyboardMarkup? Buttons = null, int? EditMessageId = null, Guid? ApprovalId = null, Guid? AlertId = null)
{
    /// <summary>Group chats (negative ids) have their own, slower limit.</summary>
    public bool IsGroup => ChatId < 0;
}

/// <summary>
/// The outbound queue. Every message to Telegram goes through it, so that the bot keeps Telegram's limits whatever the load:
/// one message a second per private chat, 20 a minute per group, 30 a second overall. Per chat, messages leave in order.
/// A 429 puts the message back at the head of its chat and holds that chat for <c>retry_after</c>; a transient error
/// (network, 5xx) retries the same message with a back-off, so nothing is sent twice by the queue itself; any other error drops it.
/// Messages over 4096 characters are split. The queue lives in memory: after a restart the web inbox still has every notification.
/// </summary>
public sealed partial class TelegramOutbox : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, ChatQueue> _chats = [];
    private readonly LinkedList<long> _ready = new();
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly TelegramOutboxOptions _options;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _globalSpacing;
    private readonly Lazy<TelegramPacer?> _pacer;
    private readonly SemaphoreSlim _permitGate = new(1, 1);
    private DateTimeOffset _nextGlobal;
    private int _inFlight;
    private int _pending;
    private long _sent;
    private long _throttled;
    private long _dropped;

    public TelegramOutbox(IOptions<TelegramOptions> options, IServiceProvider services, ILogger<TelegramOutbox> logger)
        : this(options, services, logger, TimeProvider.System)
    {
    }

    // Telegram's limits are kept on the wall clock, whatever clock the rest of the portal runs on.
    internal TelegramOutbox(IOptions<TelegramOptions> options, IServiceProvider services, ILogger<TelegramOutbox> logger, TimeProvider clock)
    {
        _options = options.Value.Outbox;
        _services = services;
        _logger = logger;
        _clock = clock;

        // A hair over 1/N s apart, so that no one-second window anywhere sees more than N.
        _globalSpacing = TimeSpan.FromTicks((long)(TimeSpan.TicksPerSecond * 1.02 / _options.GlobalPerSecond));
        _pacer = new Lazy<TelegramPacer?>(() => services.GetService<TelegramPacer>());
    }

    /// <summary>Messages waiting or in flight.</summary>
    public int Pending => Volatile.Read(ref _pending);

    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>429 answers received.</summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues a message (split when too long); false when the queue is full.</summary>
    public bool Enqueue(OutboundMessage message)
    {
        IReadOnlyList<OutboundMessage> parts;
        if (message.EditMessageId is not null)
        {
            parts = [message with { Html = TelegramHtml.Truncate(message.Html) }];
        }
        else
        {
            var texts = TelegramHtml.Split(message.Html);
            parts = texts.Count == 1
                ? [message]
                : texts.Select((t, i) => i == texts.Count - 1 ? message with { Html = t } : message with { Html = t, Buttons = null, ApprovalId = null, AlertId = null }).ToList();
        }

        lock (_gate)
        {
            if (_pending + parts.Count > _options.Capacity)
            {
                Interlocked.Add(ref _dropped, parts.Count);
                LogFull(_logger, _options.Capacity);
                return false;
            }

            if (!_chats.TryGetValue(message.ChatId, out var chat))
            {
                chat = new ChatQueue(message.ChatId);
                _chats[message.ChatId] = chat;
            }

            foreach (var part in parts)
            {
                chat.Messages.AddLast(new Item(part));
            }

            _pending += parts.Count;
            if (!chat.Listed && !chat.InFlight)
            {
                chat.Listed = true;
                _ready.AddLast(chat.ChatId);
            }
        }

        _signal.Release();
        return true;
    }

    /// <summary>Sends until cancelled (run by the outbox service).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var running = new List<Task>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var (next, wait) = TakeNext();
            if (next is null)
            {
                try
                {
                    await _signal.WaitAsync(wait ?? Timeout.InfiniteTimeSpan, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                continue;
            }

            running.RemoveAll(t => t.IsCompleted);
            running.Add(SendAsync(next.Value.Chat, next.Value.Item, cancellationToken));
        }

        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Waits until nothing is queued or in flight (tests, benchmarks, shutdown).</summary>
    public async Task DrainAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var until = _clock.GetUtcNow() + timeout;
        while (Pending > 0)
        {
            if (_clock.GetUtcNow() > until)
            {
                throw new TimeoutException($"{Pending} Telegram message(s) were still queued after {timeout.TotalSeconds:0} s.");
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    public void Dispose()
    {
        _signal.Dispose();
        _permitGate.Dispose();
    }

    private ((ChatQueue Chat, Item Item)? Next, TimeSpan? Wait) TakeNext()
    {
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            if (_inFlight >= _options.Concurrency)
            {
                return (null, null);
            }

            if (_nextGlobal > now)
            {
                return (null, _nextGlobal - now);
            }

            DateTimeOffset? earliest = null;
            for (var node = _ready.First; node is not null; node = node.Next)
            {
                var chat = _chats[node.Value];
                if (chat.NotBefore > now)
                {
                    earliest = earliest is null || chat.NotBefore < earliest ? chat.NotBefore : earliest;
                    continue;
                }

                _ready.Remove(node);
                chat.Listed = false;
                chat.InFlight = true;
                var item = chat.Messages.First!.Value;
                chat.Messages.RemoveFirst();
                _inFlight++;
                _nextGlobal = now + _globalSpacing;
                return ((chat, item), null);
            }

            return (null, earliest is null ? null : earliest - now);
        }
    }

    private async Task SendAsync(ChatQueue chat, Item item, CancellationToken cancellationToken)
    {
        var outcome = Outcome.Done;
        TimeSpan hold = TimeSpan.Zero;
        var pacer = _pacer.Value;
        var held = false;
        try
        {
            if (pacer is { IsShared: true })
            {
                // Several nodes send for one bot: the chat and the overall pace are shared through the database.
                if (await HoldSharedAsync(pacer, chat, cancellationToken) is { } busy)
                {
                    outcome = Outcome.Retry;
                    hold = busy;
                    return;
                }

                held = true;
            }

            await using var scope = _services.CreateAsyncScope();
            var client = scope.ServiceProvider.GetRequiredService<ITelegramBotClient>();
            var message = item.Message;
            if (message.EditMessageId is { } messageId)
            {
                await client.EditMessageText(message.ChatId, messageId, message.Html, ParseMode.Html, replyMarkup: message.Buttons,
                    linkPreviewOptions: new LinkPreviewOptions { IsDisabled = true }, cancellationToken: cancellationToken);
            }
            else
            {
                var sent = await client.SendMessage(message.ChatId, message.Html, ParseMode.Html, replyMarkup: message.Buttons,
                    linkPreviewOptions: new LinkPreviewOptions { IsDisabled = true }, cancellationToken: cancellationToken);
                if (message.ApprovalId is { } approvalId)
                {
                    await RecordApprovalMessageAsync(scope.ServiceProvider, approvalId, message.ChatId, sent.Id);
                }

                if (message.AlertId is { } alertId)
                {
                    await scope.ServiceProvider.GetRequiredService<Alerts.AlertTelegram>().SentAsync(alertId, message.ChatId, sent.Id, message.Html, CancellationToken.None);
                }
            }

            Interlocked.Increment(ref _sent);
        }
        catch (ApiRequestException ex) when (ex.ErrorCode == 429)
        {
            Interlocked.Increment(ref _throttled);
            hold = TimeSpan.FromSeconds(Math.Max(1, ex.Parameters?.RetryAfter ?? 1));
            outcome = Outcome.Retry;
            LogThrottled(_logger, chat.ChatId, hold.TotalSeconds);
        }
        catch (ApiRequestException ex) when (ex.ErrorCode >= 500)
        {
            (outcome, hold) = Transient(item, ex.ErrorCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (ApiRequestException ex) when (ex.ErrorCode == 400 && ex.Message.Contains("not modified", StringComparison.OrdinalIgnoreCase))
        {
            // An edit that changes nothing: the message already says it.
        }
        catch (ApiRequestException ex)
        {
            outcome = Outcome.Dropped;
            LogDropped(_logger, chat.ChatId, ex.ErrorCode, ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = Outcome.Retry;
        }
        catch (Exception ex) when (ex is RequestException or HttpRequestException or OperationCanceledException or IOException)
        {
            (outcome, hold) = Transient(item, ex.GetType().Name);
        }
        catch (Exception ex)
        {
            outcome = Outcome.Dropped;
            LogFailed(_logger, ex, chat.ChatId);
        }
        finally
        {
            if (held)
            {
                await LetGoSharedAsync(pacer!, chat, outcome == Outcome.Retry ? hold : Interval(chat));
            }

            Finish(chat, item, outcome, hold);
        }
    }

    // Null when this node holds the chat and an overall permit (in chat.Permit); otherwise how long the chat waits here.
    private async Task<TimeSpan?> HoldSharedAsync(TelegramPacer pacer, ChatQueue chat, CancellationToken cancellationToken)
    {
        var held = false;
        try
        {
            if (await pacer.TryHoldChatAsync(chat.ChatId, Interval(chat), cancellationToken) is { } wait)
            {
                return wait;
            }

            held = true;

            // One sender of this node asks for a permit at a time; the others wait their turn here rather than ask the database too.
            await _permitGate.WaitAsync(cancellationToken);
            try
            {
                while (true)
                {
                    var (permit, again) = await pacer.TakePermitAsync(_options.GlobalPerSecond, cancellationToken);
                    if (permit is not null)
                    {
                        chat.Permit = permit;
                        return null;
                    }

                    await Task.Delay(again, _clock, cancellationToken);
                }
            }
            finally
            {
                _permitGate.Release();
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException or InvalidOperationException or OperationCanceledException)
        {
            // Without the database the nodes cannot share the limits: nothing is sent until it answers again.
            if (!cancellationToken.IsCancellationRequested)
            {
                LogPacingUnavailable(_logger, ex.GetType().Name);
            }

            if (held)
            {
                await LetGoSharedAsync(pacer, chat, TimeSpan.Zero);
            }

            return TimeSpan.FromSeconds(1);
        }
    }

    private async Task LetGoSharedAsync(TelegramPacer pacer, ChatQueue chat, TimeSpan after)
    {
        var permit = chat.Permit;
        chat.Permit = null;
        try
        {
            await pacer.LetGoAsync(chat.ChatId, after, permit, CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
        {
            // The holds run out by themselves (TelegramPacer.HoldFor); until then the other nodes leave this chat and permit alone.
            LogPacingUnavailable(_logger, ex.GetType().Name);
        }
    }

    private void Finish(ChatQueue chat, Item item, Outcome outcome, TimeSpan hold)
    {
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            _inFlight--;
            chat.InFlight = false;
            switch (outcome)
            {
                case Outcome.Retry:
                    chat.Messages.AddFirst(item);
                    chat.NotBefore = now + hold;
                    break;
                case Outcome.Dropped:
                    Interlocked.Increment(ref _dropped);
                    _pending--;
                    chat.NotBefore = now + Interval(chat);
                    break;
                case Outcome.Done:
                    _pending--;

                    // From the answer, not from the request: the next message reaches Telegram at least an interval after this one did.
                    chat.NotBefore = now + Interval(chat);
                    break;
            }

            if (chat.Messages.Count > 0)
            {
                chat.Listed = true;
                _ready.AddLast(chat.ChatId);
            }
            else
            {
                _chats.Remove(chat.ChatId);
                if (chat.NotBefore > now)
                {
                    // Keep the chat's pace for the next message that arrives.
                    _chats[chat.ChatId] = chat;
                    ScheduleForget(chat);
                }
            }
        }

        _signal.Release();
    }

    // Recorded first, read second: a decision taken while this message was on its way either finds the record (and the notifier
    // edits the message) or is found here (and the message is edited now), so no copy keeps live buttons after a decision.
    private async Task RecordApprovalMessageAsync(IServiceProvider services, Guid approvalId, long chatId, int messageId)
    {
        await services.GetRequiredService<ApprovalMessages>().AddAsync(approvalId, chatId, messageId, CancellationToken.None);
        var request = await services.GetRequiredService<IApprovalStore>().FindAsync(approvalId, CancellationToken.None);
        if (request is not null && request.Status != ApprovalStatus.Pending)
        {
            Enqueue(new OutboundMessage(chatId, Bot.Views.Approval(request), EditMessageId: messageId));
        }
    }

    private (Outcome, TimeSpan) Transient(Item item, string what)
    {
        item.Attempts++;
        if (item.Attempts >= _options.MaxAttempts)
        {
            LogGaveUp(_logger, item.Message.ChatId, item.Attempts, what);
            return (Outcome.Dropped, TimeSpan.Zero);
        }

        var backoff = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, item.Attempts - 1)));
        LogTransient(_logger, item.Message.ChatId, what, backoff.TotalSeconds);
        return (Outcome.Retry, backoff);
    }

    private TimeSpan Interval(ChatQueue chat) => chat.ChatId < 0 ? _options.GroupInterval : _options.ChatInterval;

    // An idle chat whose pace has passed is forgotten, so that the table does not grow with every chat ever seen.
    private void ScheduleForget(ChatQueue chat)
    {
        var delay = chat.NotBefore - _clock.GetUtcNow();
        _ = Task.Delay(delay > TimeSpan.Zero ? delay : TimeSpan.Zero).ContinueWith(
            _ =>
            {
                lock (_gate)
                {
                    if (_chats.TryGetValue(chat.ChatId, out var current) && ReferenceEquals(current, chat) && chat.Messages.Count == 0 && !chat.InFlight)
                    {
                        _chats.Remove(chat.ChatId);
                    }
                }
            },
            TaskScheduler.Default);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram asked to slow down in chat {ChatId}: waiting {Seconds} s before the next message there.")]
    private static partial void LogThrottled(ILogger logger, long chatId, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram refused a message to chat {ChatId} ({Code}: {Description}); it was dropped.")]
    private static partial void LogDropped(ILogger logger, long chatId, int code, string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A message to chat {ChatId} failed ({What}); trying again in {Seconds} s.")]
    private static partial void LogTransient(ILogger logger, long chatId, string what, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "A message to chat {ChatId} failed {Attempts} times ({What}); it was dropped.")]
    private static partial void LogGaveUp(ILogger logger, long chatId, int attempts, string what);

    [LoggerMessage(Level = LogLevel.Error, Message = "A message to chat {ChatId} could not be sent; it was dropped.")]
    private static partial void LogFailed(ILogger logger, Exception exception, long chatId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telegram's limits are shared through the database, which does not answer ({Reason}); sending waits for it.")]
    private static partial void LogPacingUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The Telegram queue is full ({Capacity} messages); new messages are refused until it drains.")]
    private static partial void LogFull(ILogger logger, int capacity);

    private enum Outcome
    {
        Done,
        Retry,
        Dropped,
    }

    private sealed class Item(OutboundMessage message)
    {
        public OutboundMessage Message { get; } = message;

        public int Attempts { get; set; }
    }

    private sealed class ChatQueue(long chatId)
    {
        public long ChatId { get; } = chatId;

        public LinkedList<Item> Messages { get; } = new();

        public DateTimeOffset NotBefore { get; set; }

        public bool InFlight { get; set; }

        /// <summary>The overall permit this chat's send in flight holds (several nodes only).</summary>
        public long? Permit { get; set; }

        /// <summary>In the ready list.</summary>
        public bool Listed { get; set; }
    }
}
