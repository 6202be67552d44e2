using Microsoft.Extensions.Options;

namespace PortalOps.Web.Configuration;

/// <summary>
/// Traces and metrics (section "Telemetry"), off by default: nothing is collected or exported until the Prometheus scrape
/// endpoint is enabled or an OTLP endpoint is named.
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>The <c>service.name</c> resource attribute; each node adds its role and <c>service.instance.id</c>.</summary>
    public string ServiceName { get; set; } = "portalops";

    public PrometheusTelemetryOptions Prometheus { get; set; } = new();

    public OtlpTelemetryOptions Otlp { get; set; } = new();

    /// <summary>True when anything is exported, so the instrumentations are registered at all.</summary>
    public bool Enabled => Prometheus.Enabled || Otlp.IsSet;

    public static TelemetryOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
}

/// <summary>The Prometheus scrape endpoint (<c>Telemetry:Prometheus</c>): metrics only, on the node's own port.</summary>
public sealed class PrometheusTelemetryOptions
{
    public bool Enabled { get; set; }

    /// <summary>Where the metrics are served; anonymous, so keep it off the public side of the reverse proxy.</summary>
    public string Path { get; set; } = "/metrics";
}

/// <summary>The OpenTelemetry protocol exporter (<c>Telemetry:Otlp</c>): traces and metrics to a collector.</summary>
public sealed class OtlpTelemetryOptions
{
    /// <summary>The collector's address, e.g. <c>http://127.0.0.1:4317</c> (gRPC) or <c>http://127.0.0.1:4318</c> (HTTP); empty: no export.</summary>
    public string? Endpoint { get; set; }

    /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
    public string Protocol { get; set; } = "grpc";

    public bool IsSet => !string.IsNullOrWhiteSpace(Endpoint);
}

internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ServiceName))
        {
            failures.Add($"{TelemetryOptions.Section}:{nameof(TelemetryOptions.ServiceName)} must not be empty.");
        }

        var path = options.Prometheus.Path;
        if (string.IsNullOrWhiteSpace(path) || !path.StartsWith('/') || path.Length == 1 || path.Contains('?', StringComparison.Ordinal) || path.Contains(' ', StringComparison.Ordinal))
        {
            failures.Add($"{TelemetryOptions.Section}:Prometheus:Path must be a path such as /metrics (it is '{path}').");
        }

        if (options.Otlp.IsSet
            && (!Uri.TryCreate(options.Otlp.Endpoint!.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || !string.IsNullOrEmpty(uri.UserInfo)))
        {
            failures.Add($"{TelemetryOptions.Section}:Otlp:Endpoint must be an http:// or https:// address such as http://127.0.0.1:4317 (it is '{options.Otlp.Endpoint}').");
        }

        if (options.Otlp.Protocol is not ("grpc" or "http/protobuf"))
        {
            failures.Add($"{TelemetryOptions.Section}:Otlp:Protocol must be grpc or http/protobuf (it is '{options.Otlp.Protocol}').");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
