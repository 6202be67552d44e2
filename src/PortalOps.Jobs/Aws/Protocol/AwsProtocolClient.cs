using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using Amazon.Runtime.Signing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PortalOps.Jobs.Aws.Protocol;

/// <summary>The answer to one call: the result element or JSON body, and the request id for the audit log.</summary>
public sealed record AwsResponse<T>(T Body, string? RequestId);

/// <summary>
/// The generic protocol core for services without an SDK package here: Signature Version 4 through
/// AWSSDK.Core's signer, Query and JSON 1.1 serialization, XML/JSON error parsing into
/// <see cref="AwsServiceException"/>, and standard-mode retries with throttling backoff.
/// Operation definitions stay thin: a name, parameters, and a parser for the result.
/// </summary>
public sealed class AwsProtocolClient(HttpClient http, AwsRetryPolicy retry, ILogger<AwsProtocolClient>? logger = null)
{
    private readonly ILogger logger = logger ?? NullLogger<AwsProtocolClient>.Instance;
    private long calls;

    /// <summary>HTTP requests sent (retries included), for budgets and benchmarks.</summary>
    public long Calls => Interlocked.Read(ref calls);

    public AwsRetryPolicy Retry => retry;

    /// <summary>Sends a Query-protocol action; returns the <c>{Action}Result</c> element (an empty one when the answer has none).</summary>
    public async Task<AwsResponse<XElement>> QueryAsync(AwsEndpoint endpoint, string action, QueryParameters parameters, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(parameters.ToFormBody(action, endpoint.Service.ApiVersion));
        var (status, bytes, headerRequestId) = await SendWithRetriesAsync(endpoint, action, body, "application/x-www-form-urlencoded; charset=utf-8", null, cancellationToken).ConfigureAwait(false);
        var text = Encoding.UTF8.GetString(bytes);
        XElement root;
        try
        {
            root = XElement.Parse(text);
        }
        catch (XmlException e)
        {
            throw new AwsServiceException(endpoint.Service.Name, action, "MalformedResponse", $"not XML: {Truncate(text)}", headerRequestId, status, e);
        }

        var result = root.El(action + "Result") ?? new XElement(action + "Result");
        var requestId = root.El("ResponseMetadata").Str("RequestId") ?? headerRequestId;
        return new AwsResponse<XElement>(result, requestId);
    }

    /// <summary>
    /// Sends a Query-protocol action and hands the answer's body, straight from the socket, to <paramref name="parse"/> (a streaming
    /// reader for large answers such as a 1000-instance DescribeInstances page): the body is never held whole in memory, so a page
    /// costs the parser's own small buffers rather than its size twice over. <paramref name="parse"/> reads synchronously (the
    /// thread is held for one page's transfer) and must build its result only from what it read, since a body cut off part way is
    /// sent again. Errors are parsed and retried as for any other call; a body that stalls is cut off by the request timeout.
    /// </summary>
    public async Task<T> QueryRawAsync<T>(AwsEndpoint endpoint, string action, QueryParameters parameters, Func<Stream, string?, T> parse, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(parameters.ToFormBody(action, endpoint.Service.ApiVersion));
        using var call = AwsTracing.StartCall(endpoint.Service.Name, action, endpoint.Region);
        try
        {
            return await StreamWithRetriesAsync(endpoint, action, body, parse, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            call.Fail(e is AwsServiceException aws ? aws.ErrorCode : e.GetType().Name);
            throw;
        }
    }

    /// <summary>Sends a JSON 1.1 operation; returns the parsed body (an empty object when the answer has none).</summary>
    public async Task<AwsResponse<JsonObject>> JsonAsync(AwsEndpoint endpoint, string operation, JsonObject request, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(request.ToJsonString());
        var target = $"{endpoint.Service.JsonTargetPrefix}.{operation}";
        var (status, bytes, requestId) = await SendWithRetriesAsync(endpoint, operation, body, "application/x-amz-json-1.1", target, cancellationToken).ConfigureAwait(false);
        var text = Encoding.UTF8.GetString(bytes);
        try
        {
            var node = string.IsNullOrWhiteSpace(text) ? new JsonObject() : JsonNode.Parse(text) as JsonObject ?? new JsonObject();
            return new AwsResponse<JsonObject>(node, requestId);
        }
        catch (JsonException e)
        {
            throw new AwsServiceException(endpoint.Service.Name, operation, "MalformedResponse", $"not JSON: {Truncate(text)}", requestId, status, e);
        }
    }

    /// <summary>Follows a pagination token until the service stops returning one (or a page limit is hit).</summary>
    public static async Task<List<T>> PaginateAsync<T>(Func<string?, Task<(IEnumerable<T> Items, string? Next)>> page, int maxPages = 10_000)
    {
        var all = new List<T>();
        string? token = null;
        for (var i = 0; i < maxPages; i++)
        {
            var (items, next) = await page(token).ConfigureAwait(false);
            all.AddRange(items);
            if (string.IsNullOrEmpty(next) || next == token)
            {
                break;
            }

            token = next;
        }

        return all;
    }

    private async Task<(HttpStatusCode Status, byte[] Body, string? RequestId)> SendWithRetriesAsync(
        AwsEndpoint endpoint, string operation, byte[] body, string contentType, string? target, CancellationToken cancellationToken)
    {
        // One span and one timing per call, retries included, named by service and operation.
        using var call = AwsTracing.StartCall(endpoint.Service.Name, operation, endpoint.Region);
        try
        {
            return await SendWithRetriesCoreAsync(endpoint, operation, body, contentType, target, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            call.Fail(e is AwsServiceException aws ? aws.ErrorCode : e.GetType().Name);
            throw;
        }
    }

    private async Task<(HttpStatusCode Status, byte[] Body, string? RequestId)> SendWithRetriesCoreAsync(
        AwsEndpoint endpoint, string operation, byte[] body, string contentType, string? target, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Exception failure;
            try
            {
                var (status, text, requestId) = await SendOnceAsync(endpoint, body, contentType, target, cancellationToken).ConfigureAwait(false);
                if ((int)status < 300)
                {
                    return (status, text, requestId);
                }

                var error = ParseError(endpoint.Service, operation, status, Encoding.UTF8.GetString(text), requestId);
                if (!AwsRetryPolicy.IsRetryable(error) || attempt >= retry.MaxAttempts)
                {
                    throw error;
                }

                failure = error;
            }
            catch (Exception e) when (attempt < retry.MaxAttempts && !cancellationToken.IsCancellationRequested
                                      && e is HttpRequestException or TimeoutException or TaskCanceledException or IOException)
            {
                failure = e;
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{endpoint.Service.Name} {operation} did not answer within {retry.Timeout.TotalSeconds:0.#} s ({attempt} attempt(s)).", e);
            }

            var delay = retry.Backoff(attempt, Random.Shared.NextDouble());
            logger.LogDebug("{Service} {Operation} attempt {Attempt} failed ({Reason}); retrying in {Delay} ms",
                endpoint.Service.Name, operation, attempt, failure is AwsServiceException s ? s.ErrorCode : failure.GetType().Name, (int)delay.TotalMilliseconds);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<T> StreamWithRetriesAsync<T>(AwsEndpoint endpoint, string action, byte[] body, Func<Stream, string?, T> parse, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Exception failure;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(retry.Timeout);
            try
            {
                using var request = await SignedRequestAsync(endpoint, body, "application/x-www-form-urlencoded; charset=utf-8", null, cancellationToken).ConfigureAwait(false);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                var requestId = RequestIdOf(response);
                if ((int)response.StatusCode < 300)
                {
                    var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);

                    // The parser reads synchronously, which no token reaches: on timeout, closing the response ends its read.
                    using var cut = timeout.Token.Register(static r => ((HttpResponseMessage)r!).Dispose(), response);
                    try
                    {
                        return parse(stream, requestId);
                    }
                    catch (XmlException e) when (!timeout.IsCancellationRequested)
                    {
                        throw new AwsServiceException(endpoint.Service.Name, action, "MalformedResponse", e.Message, requestId, response.StatusCode, e);
                    }
                }

                var text = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                var error = ParseError(endpoint.Service, action, response.StatusCode, Encoding.UTF8.GetString(text), requestId);
                if (!AwsRetryPolicy.IsRetryable(error) || attempt >= retry.MaxAttempts)
                {
                    throw error;
                }

                failure = error;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or TimeoutException or OperationCanceledException or IOException or ObjectDisposedException or XmlException)
            {
                // A failed or cut-off transfer (a read cut by the timeout surfaces as a closed stream or a broken document).
                if (attempt >= retry.MaxAttempts)
                {
                    if (timeout.IsCancellationRequested || e is TaskCanceledException)
                    {
                        throw new TimeoutException($"{endpoint.Service.Name} {action} did not answer within {retry.Timeout.TotalSeconds:0.#} s ({attempt} attempt(s)).", e);
                    }

                    throw;
                }

                failure = e;
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
            {
                // The caller gave up while the parser was reading: the closed stream's error means cancellation.
                throw new OperationCanceledException($"{endpoint.Service.Name} {action} was cancelled.", e, cancellationToken);
            }

            var delay = retry.Backoff(attempt, Random.Shared.NextDouble());
            logger.LogDebug("{Service} {Operation} attempt {Attempt} failed ({Reason}); retrying in {Delay} ms",
                endpoint.Service.Name, action, attempt, failure is AwsServiceException s ? s.ErrorCode : failure.GetType().Name, (int)delay.TotalMilliseconds);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string? RequestIdOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault()
            : response.Headers.TryGetValues("x-amz-request-id", out var ids2) ? ids2.FirstOrDefault() : null;

    private async Task<(HttpStatusCode, byte[], string?)> SendOnceAsync(AwsEndpoint endpoint, byte[] body, string contentType, string? target, CancellationToken cancellationToken)
    {
        using var request = await SignedRequestAsync(endpoint, body, contentType, target, cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(retry.Timeout);
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
        var text = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
        logger.LogTrace("{Service} {Status} in {Ms} ms", endpoint.Service.Name, (int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return (response.StatusCode, text, RequestIdOf(response));
    }

    /// <summary>One HTTP request, signed with Signature Version 4 (counted in <see cref="Calls"/>).</summary>
    private async Task<HttpRequestMessage> SignedRequestAsync(AwsEndpoint endpoint, byte[] body, string contentType, string? target, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref calls);
        var signing = new AWSSigningRequest
        {
            HttpMethod = HttpMethod.Post,
            RequestUri = endpoint.Url,
            Content = body,
        };
        signing.Headers["Content-Type"] = contentType;
        if (target is not null)
        {
            signing.Headers["X-Amz-Target"] = target;
        }

        var signed = await AWSSigV4Signer.SignAsync(signing, new AWSSigV4Parameters
        {
            Credentials = endpoint.Credentials,
            Region = Amazon.RegionEndpoint.GetBySystemName(endpoint.SigningRegion),
            Service = endpoint.Service.SigningName,
            SignPayload = true,
        }, cancellationToken).ConfigureAwait(false);

        var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        foreach (var (name, value) in signing.Headers.Concat(signed.Headers))
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    internal static AwsServiceException ParseError(AwsServiceDescriptor service, string operation, HttpStatusCode status, string text, string? headerRequestId)
    {
        string code = status == HttpStatusCode.NotFound ? "NotFound" : $"Http{(int)status}";
        var message = Truncate(text);
        var requestId = headerRequestId;
        if (service.Protocol == AwsProtocol.Json11)
        {
            try
            {
                if (JsonNode.Parse(text) is JsonObject o)
                {
                    var type = (o["__type"] ?? o["code"])?.GetValue<string>();
                    if (!string.IsNullOrEmpty(type))
                    {
                        code = type[(type.LastIndexOf('#') + 1)..];
                    }

                    message = (o["message"] ?? o["Message"])?.GetValue<string>() ?? message;
                }
            }
            catch (JsonException)
            {
            }
        }
        else
        {
            try
            {
                var root = XElement.Parse(text);
                var error = root.El("Error") ?? root.El("Errors").El("Error");
                code = error.Str("Code") ?? code;
                message = error.Str("Message") ?? message;
                requestId = root.Str("RequestId") ?? root.Str("RequestID") ?? requestId;
            }
            catch (XmlException)
            {
            }
        }

        return new AwsServiceException(service.Name, operation, code, message, requestId, status);
    }

    private static string Truncate(string s) => s.Length <= 300 ? s : s[..300] + "…";
}
