using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>A person (or another bot) on Telegram.</summary>
public sealed record TelegramUser(long Id, string FirstName, string? UserName = null, bool IsBot = false);

/// <summary>A message the bot sent, as the server keeps it (edits change it in place).</summary>
public sealed class SentMessage
{
    public required long ChatId { get; init; }

    public required int MessageId { get; init; }

    public required string Text { get; set; }

    public string? ParseMode { get; set; }

    /// <summary>Rows of (text, callback_data).</summary>
    public IReadOnlyList<IReadOnlyList<(string Text, string Data)>> Buttons { get; set; } = [];

    public int Edits { get; set; }

    public IEnumerable<(string Text, string Data)> AllButtons => Buttons.SelectMany(r => r);

    public string ButtonData(string text) =>
        AllButtons.FirstOrDefault(b => b.Text.Contains(text, StringComparison.OrdinalIgnoreCase)).Data
        ?? throw new InvalidOperationException($"No button '{text}' on message {MessageId} in chat {ChatId}: [{string.Join(", ", AllButtons.Select(b => b.Text))}]\n{Text}");
}

/// <summary>A document the bot sent (sendDocument, multipart): the file as uploaded.</summary>
public sealed record SentDocument(long ChatId, int MessageId, string FileName, byte[] Content, string? Caption);

/// <summary>One call the bot made.</summary>
public sealed record ApiCall(string Method, JsonObject Body, DateTimeOffset At, int Status)
{
    /// <summary>When the request reached the server (<see cref="At"/> is when it was answered).</summary>
    public DateTimeOffset Arrived { get; init; } = At;
}

/// <summary>
/// A Bot API server on loopback, enough of Telegram for the real Telegram.Bot client: getMe, getUpdates (long poll with offset and
/// timeout), sendMessage, sendDocument (multipart upload), editMessageText, editMessageReplyMarkup, answerCallbackQuery, setWebhook, deleteWebhook, setMyCommands.
/// It records every call, plays people who write and press buttons, can answer 429 with retry_after on demand, and can enforce
/// Telegram's limits (1 a second per private chat, 20 a minute per group, 30 a second overall) the way Telegram does: with 429s.
/// </summary>
public sealed class BotApiServer : IAsyncDisposable
{
    public const string Token = "123456789:TEST-test-token-0123456789abcdefXYZ";
    public const long BotId = 123456789;
    public const string BotUserName = "portalops_test_bot";

    private readonly Lock _gate = new();
    private readonly WebApplication _app;
    private readonly List<ApiCall> _calls = [];
    private readonly List<JsonObject> _updates = [];
    private readonly Dictionary<(long Chat, int Id), SentMessage> _messages = [];
    private readonly List<SentDocument> _documents = [];
    private readonly Dictionary<long, int> _nextMessageId = [];
    private readonly Dictionary<string, Queue<(int Status, int RetryAfter)>> _failures = [];
    private readonly Dictionary<long, List<DateTimeOffset>> _chatSends = [];
    private readonly List<DateTimeOffset> _allSends = [];
    private SemaphoreSlim _updateSignal = new(0, int.MaxValue);
    private int _nextUpdateId = 1000;
    private int _nextCallbackId = 1;

    private BotApiServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = string.Empty;

    /// <summary>When true, sends past Telegram's limits get 429 like Telegram's.</summary>
    public bool EnforceLimits { get; set; }

    public string? WebhookUrl { get; private set; }

    public string? WebhookSecret { get; private set; }

    public IReadOnlyList<string> Commands { get; private set; } = [];

    public int TooManyRequests { get; private set; }

    public static async Task<BotApiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new BotApiServer(app);
        app.MapPost("/bot{token}/{method}", server.HandleAsync);
        app.MapGet("/bot{token}/{method}", server.HandleAsync);
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return server;
    }

    public IReadOnlyList<ApiCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return _calls.ToList();
            }
        }
    }

    public IReadOnlyList<SentDocument> Documents
    {
        get
        {
            lock (_gate)
            {
                return _documents.ToList();
            }
        }
    }

    public IReadOnlyList<ApiCall> CallsOf(string method) => Calls.Where(c => c.Method == method).ToList();

    public IReadOnlyList<SentMessage> MessagesIn(long chatId)
    {
        lock (_gate)
        {
            return _messages.Values.Where(m => m.ChatId == chatId).OrderBy(m => m.MessageId).ToList();
        }
    }

    /// <summary>The next <paramref name="count"/> calls of a method answer 429 with this retry_after.</summary>
    public void FailNext(string method, int count, int retryAfterSeconds) => FailNextWith(method, count, 429, retryAfterSeconds);

    /// <summary>The next <paramref name="count"/> calls of a method answer this status (429 carries retry_after).</summary>
    public void FailNextWith(string method, int count, int status, int retryAfterSeconds = 0)
    {
        lock (_gate)
        {
            if (!_failures.TryGetValue(method, out var queue))
            {
                _failures[method] = queue = new Queue<(int, int)>();
            }

            for (var i = 0; i < count; i++)
            {
                queue.Enqueue((status, retryAfterSeconds));
            }
        }
    }

    /// <summary>A person writes to the bot (a private chat unless <paramref name="chatId"/> names a group). Returns the update id.</summary>
    public int Write(TelegramUser from, string text, long? chatId = null) => Push(MessageUpdate(from, text, chatId));

    /// <summary>A person presses a button on a message the bot sent.</summary>
    public int Press(TelegramUser from, SentMessage message, string buttonText) => Push(CallbackUpdate(from, message, message.ButtonData(buttonText)));

    /// <summary>A press with any data at all (forged, replayed, another person's).</summary>
    public int PressRaw(TelegramUser from, SentMessage message, string? data) => Push(CallbackUpdate(from, message, data));

    /// <summary>Queues a raw update for getUpdates.</summary>
    public int Push(JsonObject update)
    {
        lock (_gate)
        {
            var id = _nextUpdateId++;
            update["update_id"] = id;
            _updates.Add(update);
            _updateSignal.Release();
            return id;
        }
    }

    public JsonObject MessageUpdate(TelegramUser from, string text, long? chatId = null)
    {
        var chat = chatId ?? from.Id;
        var message = new JsonObject
        {
            ["message_id"] = NewMessageId(chat),
            ["from"] = UserJson(from),
            ["chat"] = ChatJson(chat, from),
            ["date"] = Unix(),
            ["text"] = text,
        };
        if (text.StartsWith('/'))
        {
            var length = text.IndexOf(' ', StringComparison.Ordinal) is var space and > 0 ? space : text.Length;
            message["entities"] = new JsonArray(new JsonObject { ["type"] = "bot_command", ["offset"] = 0, ["length"] = length });
        }

        return new JsonObject { ["message"] = message };
    }

    public JsonObject CallbackUpdate(TelegramUser from, SentMessage message, string? data)
    {
        var query = new JsonObject
        {
            ["id"] = (_nextCallbackId++).ToString(CultureInfo.InvariantCulture),
            ["from"] = UserJson(from),
            ["message"] = MessageJson(message),
            ["chat_instance"] = "ci-" + message.ChatId.ToString(CultureInfo.InvariantCulture),
        };
        if (data is not null)
        {
            query["data"] = data;
        }

        return new JsonObject { ["callback_query"] = query };
    }

    /// <summary>Waits for a message in a chat that matches, sent or edited.</summary>
    public async Task<SentMessage> WaitForMessageAsync(long chatId, Func<SentMessage, bool> match, string what, TimeSpan? timeout = null)
    {
        var until = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var found = MessagesIn(chatId).LastOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            if (DateTimeOffset.UtcNow > until)
            {
                throw new TimeoutException($"No message in chat {chatId} {what}. Chat has:\n{string.Join("\n---\n", MessagesIn(chatId).Select(m => m.Text))}");
            }

            await Task.Delay(20);
        }
    }

    public Task<SentMessage> WaitForTextAsync(long chatId, string contains, TimeSpan? timeout = null) =>
        WaitForMessageAsync(chatId, m => m.Text.Contains(contains, StringComparison.Ordinal), $"containing '{contains}'", timeout);

    /// <summary>Waits until the bot has fetched (and so handled the batch before) this update.</summary>
    public async Task WaitUntilConsumedAsync(int updateId, TimeSpan? timeout = null)
    {
        var until = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (Calls.Where(c => c.Method == "getUpdates").All(c => (c.Body["offset"]?.GetValue<int>() ?? 0) <= updateId))
        {
            if (DateTimeOffset.UtcNow > until)
            {
                throw new TimeoutException($"The bot did not confirm update {updateId}.");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _updateSignal.Release(1000);
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context, string token, string method)
    {
        context.Items[ArrivedKey] = DateTimeOffset.UtcNow;
        var body = await ReadBodyAsync(context.Request);
        if (token != Token)
        {
            await RespondAsync(context, method, body, 401, Error(401, "Unauthorized"));
            return;
        }

        int? retryAfter = null;
        int? failure = null;
        lock (_gate)
        {
            if (_failures.TryGetValue(method, out var queue) && queue.Count > 0)
            {
                var (status, wait) = queue.Dequeue();
                if (status == 429)
                {
                    retryAfter = wait;
                }
                else
                {
                    failure = status;
                }
            }
            else if (EnforceLimits && method is "sendMessage" or "editMessageText")
            {
                retryAfter = OverLimit(body["chat_id"]!.GetValue<long>());
            }

            if (retryAfter is not null)
            {
                TooManyRequests++;
            }
        }

        if (failure is { } failed)
        {
            await RespondAsync(context, method, body, failed, Error(failed, failed >= 500 ? "Bad Gateway" : "Bad Request: chat not found"));
            return;
        }

        if (retryAfter is { } after)
        {
            var error = Error(429, $"Too Many Requests: retry after {after}");
            error["parameters"] = new JsonObject { ["retry_after"] = after };
            await RespondAsync(context, method, body, 429, error);
            return;
        }

        switch (method)
        {
            case "getMe":
                await RespondAsync(context, method, body, 200, Ok(new JsonObject
                {
                    ["id"] = BotId, ["is_bot"] = true, ["first_name"] = "PortalOps test", ["username"] = BotUserName,
                    ["can_join_groups"] = true, ["can_read_all_group_messages"] = false, ["supports_inline_queries"] = false,
                }));
                return;
            case "getUpdates":
                await GetUpdatesAsync(context, body);
                return;
            case "sendMessage":
                await RespondAsync(context, method, body, 200, Ok(MessageJson(Store(body))));
                return;
            case "editMessageText":
            case "editMessageReplyMarkup":
                var edited = Edit(body, method == "editMessageText");
                await RespondAsync(context, method, body, edited is null ? 400 : 200, edited is null ? Error(400, "Bad Request: message to edit not found") : Ok(MessageJson(edited)));
                return;
            case "setWebhook":
                lock (_gate)
                {
                    WebhookUrl = body["url"]?.GetValue<string>();
                    WebhookSecret = body["secret_token"]?.GetValue<string>();
                }

                await RespondAsync(context, method, body, 200, Ok(true));
                return;
            case "deleteWebhook":
                lock (_gate)
                {
                    WebhookUrl = null;
                    WebhookSecret = null;
                }

                await RespondAsync(context, method, body, 200, Ok(true));
                return;
            case "setMyCommands":
                Commands = body["commands"]?.AsArray().Select(c => c!["command"]!.GetValue<string>()).ToList() ?? [];
                await RespondAsync(context, method, body, 200, Ok(true));
                return;
            case "sendDocument":
                var document = await StoreDocumentAsync(context.Request, body);
                await RespondAsync(context, method, body, document is null ? 400 : 200, document is null ? Error(400, "Bad Request: there is no document in the request") : Ok(DocumentMessageJson(document)));
                return;
            case "answerCallbackQuery":
                await RespondAsync(context, method, body, 200, Ok(true));
                return;
            default:
                await RespondAsync(context, method, body, 404, Error(404, "Not Found: method not found"));
                return;
        }
    }

    private async Task GetUpdatesAsync(HttpContext context, JsonObject body)
    {
        var offset = body["offset"]?.GetValue<int>() ?? 0;
        var timeout = Math.Min(body["timeout"]?.GetValue<int>() ?? 0, 50);
        var until = DateTimeOffset.UtcNow.AddSeconds(timeout);
        while (true)
        {
            JsonArray? batch = null;
            SemaphoreSlim signal;
            lock (_gate)
            {
                _updates.RemoveAll(u => u["update_id"]!.GetValue<int>() < offset);
                if (_updates.Count > 0)
                {
                    batch = new JsonArray(_updates.Take(100).Select(u => (JsonNode)u.DeepClone()).ToArray());
                }

                signal = _updateSignal;
            }

            var left = until - DateTimeOffset.UtcNow;
            if (batch is not null || left <= TimeSpan.Zero || context.RequestAborted.IsCancellationRequested)
            {
                await RespondAsync(context, "getUpdates", body, 200, Ok(batch ?? []));
                return;
            }

            try
            {
                await signal.WaitAsync(left, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private SentMessage Store(JsonObject body)
    {
        var chat = body["chat_id"]!.GetValue<long>();
        var message = new SentMessage
        {
            ChatId = chat,
            MessageId = NewMessageId(chat),
            Text = body["text"]!.GetValue<string>(),
            ParseMode = body["parse_mode"]?.GetValue<string>(),
            Buttons = ReadButtons(body["reply_markup"]),
        };
        lock (_gate)
        {
            _messages[(chat, message.MessageId)] = message;
        }

        return message;
    }

    // A document arrives as a multipart file field: named "document", or named by "document": "attach://NAME" (the Bot API's upload forms).
    private async Task<SentDocument?> StoreDocumentAsync(HttpRequest request, JsonObject body)
    {
        if (!request.HasFormContentType)
        {
            return null;
        }

        var files = (await request.ReadFormAsync()).Files;
        var reference = body["document"]?.ToString();
        var file = reference is not null && reference.StartsWith("attach://", StringComparison.Ordinal)
            ? files.GetFile(reference["attach://".Length..])
            : files.GetFile("document");
        if (file is null)
        {
            return null;
        }

        using var content = new MemoryStream();
        await file.CopyToAsync(content);
        var chat = body["chat_id"]!.GetValue<long>();
        var document = new SentDocument(chat, NewMessageId(chat), file.FileName, content.ToArray(), body["caption"]?.ToString());
        lock (_gate)
        {
            _documents.Add(document);
        }

        return document;
    }

    private SentMessage? Edit(JsonObject body, bool withText)
    {
        var chat = body["chat_id"]!.GetValue<long>();
        var id = body["message_id"]!.GetValue<int>();
        lock (_gate)
        {
            if (!_messages.TryGetValue((chat, id), out var message))
            {
                return null;
            }

            if (withText)
            {
                message.Text = body["text"]!.GetValue<string>();
                message.ParseMode = body["parse_mode"]?.GetValue<string>();
            }

            message.Buttons = ReadButtons(body["reply_markup"]);
            message.Edits++;
            return message;
        }
    }

    // Telegram's documented limits, as sliding windows over arrival times. Called under the lock.
    private int? OverLimit(long chatId)
    {
        var now = DateTimeOffset.UtcNow;
        _allSends.RemoveAll(t => now - t >= TimeSpan.FromSeconds(1));
        if (_allSends.Count >= 30)
        {
            return 1;
        }

        if (!_chatSends.TryGetValue(chatId, out var sends))
        {
            _chatSends[chatId] = sends = [];
        }

        var (window, allowed) = chatId < 0 ? (TimeSpan.FromMinutes(1), 20) : (TimeSpan.FromSeconds(1), 1);
        sends.RemoveAll(t => now - t >= window);
        if (sends.Count >= allowed)
        {
            return (int)Math.Ceiling((window - (now - sends[0])).TotalSeconds);
        }

        sends.Add(now);
        _allSends.Add(now);
        return null;
    }

    private int NewMessageId(long chatId)
    {
        lock (_gate)
        {
            var next = _nextMessageId.GetValueOrDefault(chatId, 1);
            _nextMessageId[chatId] = next + 1;
            return next;
        }
    }

    private const string ArrivedKey = "portalops.arrived";

    private async Task RespondAsync(HttpContext context, string method, JsonObject body, int status, JsonObject response)
    {
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            _calls.Add(new ApiCall(method, body, now, status) { Arrived = context.Items[ArrivedKey] as DateTimeOffset? ?? now });
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.ToJsonString());
    }

    private static async Task<JsonObject> ReadBodyAsync(HttpRequest request)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            var fromForm = new JsonObject();
            foreach (var (key, value) in form)
            {
                fromForm[key] = ParseFormValue(value.ToString());
            }

            return fromForm;
        }

        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync();
        return string.IsNullOrWhiteSpace(text) ? [] : JsonNode.Parse(text)?.AsObject() ?? [];
    }

    // Form fields carry JSON (numbers, objects) or plain text (a caption).
    private static JsonNode? ParseFormValue(string value)
    {
        try
        {
            return JsonNode.Parse(value) ?? value;
        }
        catch (JsonException)
        {
            return value;
        }
    }

    private static JsonObject DocumentMessageJson(SentDocument document)
    {
        var json = new JsonObject
        {
            ["message_id"] = document.MessageId,
            ["from"] = new JsonObject { ["id"] = BotId, ["is_bot"] = true, ["first_name"] = "PortalOps test", ["username"] = BotUserName },
            ["chat"] = ChatJson(document.ChatId, null),
            ["date"] = Unix(),
            ["document"] = new JsonObject
            {
                ["file_id"] = "doc-" + document.MessageId.ToString(CultureInfo.InvariantCulture),
                ["file_unique_id"] = "u-doc-" + document.MessageId.ToString(CultureInfo.InvariantCulture),
                ["file_name"] = document.FileName,
                ["mime_type"] = "application/pdf",
                ["file_size"] = document.Content.Length,
            },
        };
        if (document.Caption is not null)
        {
            json["caption"] = document.Caption;
        }

        return json;
    }

    private static IReadOnlyList<IReadOnlyList<(string, string)>> ReadButtons(JsonNode? markup) =>
        markup?["inline_keyboard"]?.AsArray()
            .Select(row => (IReadOnlyList<(string, string)>)row!.AsArray().Select(b => (b!["text"]!.GetValue<string>(), b["callback_data"]?.GetValue<string>() ?? string.Empty)).ToList())
            .ToList()
        ?? [];

    private static JsonObject MessageJson(SentMessage message)
    {
        var json = new JsonObject
        {
            ["message_id"] = message.MessageId,
            ["from"] = new JsonObject { ["id"] = BotId, ["is_bot"] = true, ["first_name"] = "PortalOps test", ["username"] = BotUserName },
            ["chat"] = ChatJson(message.ChatId, null),
            ["date"] = Unix(),
            ["text"] = message.Text,
        };
        if (message.Buttons.Count > 0)
        {
            json["reply_markup"] = new JsonObject
            {
                ["inline_keyboard"] = new JsonArray(message.Buttons.Select(r => (JsonNode)new JsonArray(r.Select(b => (JsonNode)new JsonObject { ["text"] = b.Text, ["callback_data"] = b.Data }).ToArray())).ToArray()),
            };
        }

        return json;
    }

    private static JsonObject UserJson(TelegramUser user)
    {
        var json = new JsonObject { ["id"] = user.Id, ["is_bot"] = user.IsBot, ["first_name"] = user.FirstName };
        if (user.UserName is not null)
        {
            json["username"] = user.UserName;
        }

        return json;
    }

    private static JsonObject ChatJson(long chatId, TelegramUser? user) =>
        chatId < 0
            ? new JsonObject { ["id"] = chatId, ["type"] = "supergroup", ["title"] = "Ops room" }
            : new JsonObject { ["id"] = chatId, ["type"] = "private", ["first_name"] = user?.FirstName ?? "someone" };

    private static long Unix() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static JsonObject Ok(JsonNode result) => new() { ["ok"] = true, ["result"] = result };

    private static JsonObject Ok(bool result) => new() { ["ok"] = true, ["result"] = result };

    private static JsonObject Error(int code, string description) => new() { ["ok"] = false, ["error_code"] = code, ["description"] = description };
}
