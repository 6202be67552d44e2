using System.Diagnostics;
using System.Diagnostics.Metrics;
using Amazon;
using Amazon.Runtime.Telemetry;
using Amazon.Runtime.Telemetry.Tracing;

namespace PortalOps.Jobs.Aws;

/// <summary>
/// Every AWS call as a client span named <c>{Service}.{Operation}</c> with <c>rpc.system</c> = <c>aws-api</c>, <c>rpc.service</c>
/// and <c>rpc.method</c>, and timed on the histogram <c>portalops.aws.call.duration</c> by service, operation and outcome —
/// the SDK's calls through the SDK's own telemetry provider (<see cref="Enable"/>), our protocol client's through
/// <see cref="StartCall"/>. The HTTP span of each attempt sits beneath. Nothing is recorded until an exporter listens.
/// </summary>
public static class AwsTracing
{
    /// <summary>The activity source and meter name.</summary>
    public const string SourceName = "PortalOps.Aws";

    private static readonly ActivitySource Source = new(SourceName);
    private static readonly Meter Meter = new(SourceName);
    private static readonly Histogram<double> CallDuration = Meter.CreateHistogram<double>(
        "portalops.aws.call.duration", "s", "AWS calls (retries included), by service, operation and outcome.");

    private static int _enabled;

    /// <summary>Routes the AWS SDK's spans onto <see cref="SourceName"/> (process-wide, once).</summary>
    public static void Enable()
    {
        if (Interlocked.Exchange(ref _enabled, 1) == 0)
        {
            AWSConfigs.TelemetryProvider.RegisterTracerProvider(new ActivityTracerProvider());
        }
    }

    /// <summary>A span and a timing for one call of our own protocol client; dispose it when the call ends.</summary>
    public static AwsCall StartCall(string service, string operation, string? region) => new(service, operation, region);

    /// <summary>One call in progress: its span (when anyone listens) and its start, for the duration histogram.</summary>
    public sealed class AwsCall : IDisposable
    {
        private readonly string _service;
        private readonly string _operation;
        private readonly long _started = Stopwatch.GetTimestamp();
        private readonly Activity? _activity;
        private bool _failed;

        internal AwsCall(string service, string operation, string? region)
        {
            _service = service;
            _operation = operation;
            _activity = Source.StartActivity($"{service}.{operation}", ActivityKind.Client);
            if (_activity is not null)
            {
                _activity.SetTag("rpc.system", "aws-api");
                _activity.SetTag("rpc.service", service);
                _activity.SetTag("rpc.method", operation);
                _activity.SetTag("cloud.region", region);
            }
        }

        /// <summary>Marks the call failed with the AWS error code (never its message).</summary>
        public void Fail(string? errorCode)
        {
            _failed = true;
            _activity?.SetStatus(ActivityStatusCode.Error, errorCode);
            _activity?.SetTag("aws.error_code", errorCode);
        }

        public void Dispose()
        {
            Record(_service, _operation, _failed, Stopwatch.GetElapsedTime(_started));
            _activity?.Dispose();
        }
    }

    private static void Record(string? service, string? operation, bool failed, TimeSpan elapsed)
    {
        if (CallDuration.Enabled)
        {
            CallDuration.Record(
                elapsed.TotalSeconds,
                new KeyValuePair<string, object?>("rpc.service", service ?? "unknown"),
                new KeyValuePair<string, object?>("rpc.method", operation ?? "unknown"),
                new KeyValuePair<string, object?>("outcome", failed ? "failed" : "succeeded"));
        }
    }

    private sealed class ActivityTracerProvider : TracerProvider
    {
        private readonly ActivityTracer _tracer = new();

        public override Tracer GetTracer(string scope) => _tracer;

        public override Tracer GetTracer(string scope, Attributes attributes) => _tracer;
    }

    private sealed class ActivityTracer : Tracer
    {
        public override TraceSpan CreateSpan(string name, Attributes? initialAttributes = null, SpanKind spanKind = SpanKind.INTERNAL, SpanContext? parentContext = null)
        {
            var tags = initialAttributes?.AllAttributes.Select(a => new KeyValuePair<string, object?>(a.Key, a.Value));
            var activity = Source.StartActivity(name, spanKind == SpanKind.CLIENT ? ActivityKind.Client : ActivityKind.Internal, default(ActivityContext), tags);
            return new ActivitySpan(name, activity, initialAttributes);
        }
    }

    private sealed class ActivitySpan : TraceSpan
    {
        private readonly Activity? _activity;

        public ActivitySpan(string name, Activity? activity, Attributes? attributes)
        {
            Name = name;
            _activity = activity;
            _tags = attributes?.AllAttributes.ToDictionary(a => a.Key, a => (object?)a.Value) ?? [];
        }

        private readonly long _started = Stopwatch.GetTimestamp();
        private readonly Dictionary<string, object?> _tags;
        private bool _failed;
        private int _ended;

        public override void SetAttribute(string key, object value)
        {
            _tags[key] = value;
            _activity?.SetTag(key, value);
        }

        public override void SetStatus(SpanStatus status)
        {
            _failed |= status == SpanStatus.ERROR;
            _activity?.SetStatus(status switch
            {
                SpanStatus.ERROR => ActivityStatusCode.Error,
                SpanStatus.OK => ActivityStatusCode.Ok,
                _ => ActivityStatusCode.Unset,
            });
        }

        public override void EmitEvent(string name, Attributes? attributes = null) =>
            _activity?.AddEvent(new ActivityEvent(name, tags: attributes is null ? null : new ActivityTagsCollection(attributes.AllAttributes.Select(a => new KeyValuePair<string, object?>(a.Key, a.Value)))));

        public override void RecordException(Exception exception, Attributes? attributes = null)
        {
            _failed = true;

            // The exception's type only: messages may carry resource names.
            _activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        }

        public override void End()
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
            {
                return;
            }

            // Only the SDK's operation spans carry rpc.method; its inner spans (marshalling, signing...) are not calls.
            if (_tags.TryGetValue("rpc.method", out var method))
            {
                Record(_tags.GetValueOrDefault("rpc.service")?.ToString(), method?.ToString(), _failed, Stopwatch.GetElapsedTime(_started));
            }

            _activity?.Dispose();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                End();
            }

            base.Dispose(disposing);
        }
    }
}
