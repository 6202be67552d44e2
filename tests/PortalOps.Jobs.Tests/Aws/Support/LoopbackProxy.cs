using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PortalOps.Jobs.Tests.Aws.Support;

/// <summary>
/// A loopback HTTP proxy in front of moto that can add latency, inject throttling errors and lost answers
/// (the call reaches moto, the answer comes too late), stub operations moto lacks, and count calls.
/// </summary>
public sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly HttpClient upstream = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { Timeout = TimeSpan.FromMinutes(5) };
    private readonly Uri target;
    private readonly Random random;
    private readonly ConcurrentDictionary<string, int> calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<string, string>> stubs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<string, (int Status, string Xml)>> queryStubs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Code, int Status)> failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> lose = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (int Count, TimeSpan Delay)> late = new();
    private readonly ConcurrentDictionary<string, (int Status, string ContentType, byte[] Body)> recorded = new(StringComparer.Ordinal);
    private int faultCount;

    private LoopbackProxy(WebApplication app, Uri target, int seed)
    {
        this.app = app;
        this.target = target;
        random = new Random(seed);
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>Added to every call before it is forwarded.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Share of calls answered with the protocol's throttling error (RequestLimitExceeded / Throttling / ThrottlingException).</summary>
    public double ThrottleRate { get; set; }

    /// <summary>Share of calls forwarded to moto whose answer is then held for <see cref="TimeoutDelay"/>.</summary>
    public double TimeoutRate { get; set; }

    public TimeSpan TimeoutDelay { get; set; } = TimeSpan.FromSeconds(3);

    public int Faults => faultCount;

    /// <summary>Answers from upstream that were not 2xx, by status and a short excerpt.</summary>
    public ConcurrentQueue<string> UpstreamErrors { get; } = new();

    /// <summary>
    /// Record answers while false; serve recorded answers (by signing region and body) without asking moto while true,
    /// so a benchmark can measure the client and a fixed latency without moto's own time.
    /// </summary>
    public bool Replay { get; set; }

    /// <summary>The recorded calls as (signing region, X-Amz-Target, body).</summary>
    public IEnumerable<(string Region, string Target, string Body)> RecordedCalls =>
        recorded.Keys.Select(k => k.Split('|', 3)).Select(p => (p[0], p[1], p[2]));

    /// <summary>The recorded answers with their calls: (signing region, X-Amz-Target, body, answer bytes).</summary>
    public IEnumerable<(string Region, string Target, string Body, byte[] Answer)> RecordedAnswers =>
        recorded.Select(kv => (kv.Key.Split('|', 3), kv.Value.Body)).Select(p => (p.Item1[0], p.Item1[1], p.Item1[2], p.Body));

    /// <summary>Calls per operation (Query Action or JSON target operation), faults included.</summary>
    public IReadOnlyDictionary<string, int> Calls => calls;

    public int CallsTo(string operation) => calls.GetValueOrDefault(operation);

    /// <summary>Every call's operation in the order the proxy received them (for tests that check call order).</summary>
    public ConcurrentQueue<string> Sequence { get; } = new();

    public void ResetCounts() => calls.Clear();

    /// <summary>The next <paramref name="count"/> calls to an operation reach moto, but their answers come too late.</summary>
    public void LoseAnswers(string operation, int count) => lose[operation] = count;

    /// <summary>
    /// The next <paramref name="count"/> calls to an operation are held for <paramref name="delay"/> before they reach moto (the
    /// client gives up while the call is still on its way; it arrives and is carried out later).
    /// </summary>
    public void ForwardLate(string operation, int count, TimeSpan delay) => late[operation] = (count, delay);

    /// <summary>Answers every call to an operation with an AWS error (EC2 or Query shape) instead of forwarding it.</summary>
    public void Fail(string operation, string code, int status = 403) => failures[operation] = (code, status);

    /// <summary>Stops failing <paramref name="operation"/> (undoes <see cref="Fail"/>).</summary>
    public void Heal(string operation) => failures.TryRemove(operation, out _);

    /// <summary>Answers a JSON operation (by its X-Amz-Target) with a canned body instead of forwarding it.</summary>
    public void Stub(string target, Func<string, string> answer) => stubs[target] = answer;

    /// <summary>Answers a Query-protocol operation (by its Action) with a stub's XML and status instead of forwarding it.</summary>
    public void StubQuery(string action, Func<string, (int Status, string Xml)> answer) => queryStubs[action] = answer;

    public static async Task<LoopbackProxy> StartAsync(Uri target, int seed = 42)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var proxy = new LoopbackProxy(app, target, seed);
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy.Url = new Uri(address.EndsWith('/') ? address : address + "/");
        return proxy;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var text = Encoding.UTF8.GetString(body);
        var amzTarget = context.Request.Headers["X-Amz-Target"].ToString();
        var operation = amzTarget.Length > 0 ? amzTarget[(amzTarget.IndexOf('.', StringComparison.Ordinal) + 1)..] : Action(text);
        calls.AddOrUpdate(operation, 1, (_, n) => n + 1);
        Sequence.Enqueue(operation);

        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency);
        }

        if (late.TryGetValue(operation, out var held) && held.Count > 0 && late.TryUpdate(operation, (held.Count - 1, held.Delay), held))
        {
            Interlocked.Increment(ref faultCount);
            await Task.Delay(held.Delay);
        }

        if (failures.TryGetValue(operation, out var failure))
        {
            var requestId = $"denied-{Interlocked.Increment(ref faultCount):D6}";
            context.Response.StatusCode = failure.Status;
            context.Response.ContentType = "text/xml";
            context.Response.Headers["x-amzn-RequestId"] = requestId;
            await context.Response.WriteAsync(text.Contains("Version=2016-11-15", StringComparison.Ordinal)
                ? $"<Response><Errors><Error><Code>{failure.Code}</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>{requestId}</RequestID></Response>"
                : $"<ErrorResponse><Error><Type>Sender</Type><Code>{failure.Code}</Code><Message>Not allowed.</Message></Error><RequestId>{requestId}</RequestId></ErrorResponse>");
            return;
        }

        if (stubs.TryGetValue(amzTarget, out var stub))
        {
            context.Response.ContentType = "application/x-amz-json-1.1";
            context.Response.Headers["x-amzn-RequestId"] = "stub-" + Guid.NewGuid().ToString("N");
            await context.Response.WriteAsync(stub(text));
            return;
        }

        if (amzTarget.Length == 0 && queryStubs.TryGetValue(operation, out var queryStub))
        {
            var (status, xml) = queryStub(text);
            context.Response.StatusCode = status;
            context.Response.ContentType = "text/xml";
            await context.Response.WriteAsync(xml);
            return;
        }

        var replayKey = ReplayKey(context, text);
        if (Replay && recorded.TryGetValue(replayKey, out var saved))
        {
            context.Response.StatusCode = saved.Status;
            context.Response.ContentType = saved.ContentType;
            await context.Response.Body.WriteAsync(saved.Body);
            return;
        }

        double roll;
        lock (random)
        {
            roll = random.NextDouble();
        }

        if (roll < ThrottleRate && !IsMotoApi(context))
        {
            var n = Interlocked.Increment(ref faultCount);
            await WriteThrottleAsync(context, amzTarget, text, n);
            return;
        }

        var hold = roll < ThrottleRate + TimeoutRate && !IsMotoApi(context);
        if (lose.TryGetValue(operation, out var left) && left > 0 && lose.TryUpdate(operation, left - 1, left))
        {
            hold = true;
        }
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(target, context.Request.Path + context.Request.QueryString));
        request.Content = new ByteArrayContent(body);
        foreach (var (name, values) in context.Request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                request.Content.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        using var response = await upstream.SendAsync(request);
        var answer = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode)
        {
            UpstreamErrors.Enqueue($"{operation}: {(int)response.StatusCode} {Encoding.UTF8.GetString(answer, 0, Math.Min(answer.Length, 200))}");
        }

        if (!Replay && response.IsSuccessStatusCode)
        {
            recorded[replayKey] = ((int)response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? "text/xml", answer);
        }
        if (hold)
        {
            Interlocked.Increment(ref faultCount);
            try
            {
                await Task.Delay(TimeoutDelay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Server", StringComparison.OrdinalIgnoreCase) || name.Equals("Date", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            context.Response.Headers[name] = values.ToArray();
        }

        try
        {
            await context.Response.Body.WriteAsync(answer, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Signing region (from the Authorization header's credential scope) and body: the same call in the same region.</summary>
    private static string ReplayKey(HttpContext context, string body)
    {
        var auth = context.Request.Headers.Authorization.ToString();
        var scope = auth.IndexOf("Credential=", StringComparison.Ordinal) is var i and >= 0 ? auth[(i + 11)..].Split(',')[0].Split('/') : [];
        var region = scope.Length > 2 ? scope[2] : "";
        return region + "|" + context.Request.Headers["X-Amz-Target"] + "|" + body;
    }

    private static bool IsMotoApi(HttpContext context) => context.Request.Path.StartsWithSegments("/moto-api", StringComparison.Ordinal);

    private static string Action(string form)
    {
        foreach (var pair in form.Split('&'))
        {
            if (pair.StartsWith("Action=", StringComparison.Ordinal))
            {
                return Uri.UnescapeDataString(pair[7..]);
            }
        }

        return "(other)";
    }

    private static Task WriteThrottleAsync(HttpContext context, string amzTarget, string form, int n)
    {
        var requestId = $"fault-{n:D6}";
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        if (amzTarget.Length > 0)
        {
            context.Response.StatusCode = 400;
            context.Response.ContentType = "application/x-amz-json-1.1";
            return context.Response.WriteAsync("{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");
        }

        context.Response.ContentType = "text/xml";
        if (form.Contains("Version=2016-11-15", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 503;
            return context.Response.WriteAsync($"<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>{requestId}</RequestID></Response>");
        }

        context.Response.StatusCode = 400;
        return context.Response.WriteAsync($"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>{requestId}</RequestId></ErrorResponse>");
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        upstream.Dispose();
    }
}
