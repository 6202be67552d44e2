using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PortalOps.Jobs.Aws;
using PortalOps.Jobs.Observability;
using PortalOps.Jobs.Scheduling;

namespace PortalOps.Web.Configuration;

/// <summary>
/// Observability, off by default. With <c>Telemetry:Prometheus:Enabled</c> or <c>Telemetry:Otlp:Endpoint</c> set: OpenTelemetry
/// traces (ASP.NET Core, HttpClient — the AWS calls named by service and operation —, EF Core, background jobs) and metrics
/// (the same, plus <see cref="PortalMetrics"/>), exported to an OTLP collector and/or served for Prometheus to scrape.
/// <c>Logging:Json</c> turns the console's logs into one JSON object a line.
/// </summary>
public static partial class Telemetry
{
    public static WebApplicationBuilder AddPortalTelemetry(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue<bool>("Logging:Json"))
        {
            builder.Logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
            builder.Services.Configure<ConsoleLoggerOptions>(console => console.FormatterName = ConsoleFormatterNames.Json);
        }

        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        var options = TelemetryOptions.From(builder.Configuration);
        if (!options.Enabled)
        {
            return builder;
        }

        var role = builder.Configuration[$"{JobsOptions.Section}:{nameof(JobsOptions.Role)}"];
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(options.ServiceName.Trim(), serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}")
                .AddAttributes([new KeyValuePair<string, object>("portalops.role", string.IsNullOrWhiteSpace(role) ? NodeRoles.All : role.Trim().ToLowerInvariant())]))
            .WithTracing(tracing =>
            {
                tracing
                    .AddSource(PortalMetrics.SourceName, AwsTracing.SourceName)
                    .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => !IsScrape(context.Request.Path, options))
                    .AddHttpClientInstrumentation()
                    .AddEntityFrameworkCoreInstrumentation()
                    .AddProcessor(new SecretRedaction());
                if (options.Otlp.IsSet)
                {
                    tracing.AddOtlpExporter(otlp => Configure(otlp, options.Otlp));
                }
            })
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(PortalMetrics.MeterName, AwsTracing.SourceName)
                    .AddInstrumentation(sp => sp.GetRequiredService<PortalMetrics>())
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation();
                if (options.Prometheus.Enabled)
                {
                    metrics.AddPrometheusExporter();
                }

                if (options.Otlp.IsSet)
                {
                    metrics.AddOtlpExporter(otlp => Configure(otlp, options.Otlp));
                }
            });

        // The AWS SDK's own spans (service and operation) go through the SDK's telemetry provider onto an activity source.
        AwsTracing.Enable();
        _ = telemetry;
        return builder;
    }

    /// <summary>Maps the Prometheus scrape endpoint when it is enabled (web and worker nodes alike), anonymous.</summary>
    public static WebApplication MapPortalTelemetry(this WebApplication app)
    {
        var options = TelemetryOptions.From(app.Configuration);
        if (options.Prometheus.Enabled)
        {
            app.MapPrometheusScrapingEndpoint(options.Prometheus.Path).AllowAnonymous();
        }

        return app;
    }

    private static bool IsScrape(PathString path, TelemetryOptions options) =>
        options.Prometheus.Enabled && path.StartsWithSegments(options.Prometheus.Path, StringComparison.OrdinalIgnoreCase);

    private static void Configure(OtlpExporterOptions otlp, OtlpTelemetryOptions options)
    {
        otlp.Endpoint = new Uri(options.Endpoint!.Trim());
        otlp.Protocol = options.Protocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
    }

    /// <summary>
    /// Takes secrets out of span tags before any exporter sees them: the bot token in Telegram's request paths
    /// (<c>/bot123:ABC/sendMessage</c>) and any <c>token=</c> query value.
    /// </summary>
    internal sealed partial class SecretRedaction : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data)
        {
            foreach (var name in (string[])["url.full", "url.path", "url.query", "http.url", "http.target"])
            {
                if (data.GetTagItem(name) is string value && Redact(value) is var redacted && !ReferenceEquals(redacted, value))
                {
                    data.SetTag(name, redacted);
                }
            }

            if (Redact(data.DisplayName) is var name2 && !ReferenceEquals(name2, data.DisplayName))
            {
                data.DisplayName = name2;
            }
        }

        internal static string Redact(string value)
        {
            if (!value.Contains("/bot", StringComparison.Ordinal) && !value.Contains("token=", StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }

            return QueryToken().Replace(BotToken().Replace(value, "/bot{token}"), "${name}=Redacted");
        }

        [GeneratedRegex(@"/bot[0-9]+:[A-Za-z0-9_\-]+")]
        private static partial Regex BotToken();

        [GeneratedRegex(@"(?<name>[A-Za-z_]*token)=[^&#\s]*", RegexOptions.IgnoreCase)]
        private static partial Regex QueryToken();
    }
}
