using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace PortalOps.Jobs.Aws;

/// <summary>The <c>Aws</c> configuration section: which accounts and regions PortalOps manages, and how it reaches them.</summary>
/// <remarks>Nothing secret lives here: credentials come from the default chain (environment, profile, instance role) or assume-role.</remarks>
public sealed class AwsOptions
{
    public const string Section = "Aws";

    /// <summary>Points every client at one endpoint (moto, LocalStack). Falls back to the <c>AWS_ENDPOINT_URL</c> environment variable.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The accounts to manage. Without any, the AWS provider is not registered.</summary>
    public List<AwsAccountOptions> Accounts { get; set; } = [];

    /// <summary>How many account × region requests run at once during an inventory refresh.</summary>
    public int MaxParallelism { get; set; } = 8;

    /// <summary>Attempts per call (first try included), with the SDK's standard retry mode and throttling backoff.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Time allowed for one HTTP attempt; a region that does not answer is retried within <see cref="ReadDeadlineSeconds"/>.</summary>
    public double RequestTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// Time allowed for one read a person waits for (an inventory page of a region, an instance's live lookup), retries
    /// included: past it the region's error shows and pages answer from the last inventory.
    /// </summary>
    public double ReadDeadlineSeconds { get; set; } = 10;

    /// <summary>How long a region whose read failed is answered from the last inventory before it is asked again ("Refresh now" asks at once).</summary>
    public double FailedRegionRetrySeconds { get; set; } = 30;

    /// <summary>How old the cached fleet may get before a query refreshes it.</summary>
    public double InventoryMaxAgeSeconds { get; set; } = 60;

    /// <summary>Run a mutating EC2 call with <c>DryRun</c> first, so a missing permission fails before anything happens.</summary>
    public bool DryRunFirst { get; set; }

    /// <summary>How long Cost Explorer answers are reused (AWS updates the data up to three times a day; each call is billed).</summary>
    public double CostCacheMinutes { get; set; } = 240;

    /// <summary>The endpoint actually used: <see cref="ServiceUrl"/>, else <c>AWS_ENDPOINT_URL</c>, else AWS's own.</summary>
    public string? EffectiveServiceUrl =>
        !string.IsNullOrWhiteSpace(ServiceUrl) ? ServiceUrl
        : Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL") is { Length: > 0 } env ? env
        : null;
}

public sealed class AwsAccountOptions
{
    /// <summary>The 12-digit AWS account id.</summary>
    public string Id { get; set; } = "";

    public string? DisplayName { get; set; }

    /// <summary>Role to assume in this account; without it the default credentials are used as they are.</summary>
    public string? RoleArn { get; set; }

    /// <summary>The external id the role's trust policy requires (not a secret, but not to be guessed either).</summary>
    public string? ExternalId { get; set; }

    public List<string> Regions { get; set; } = [];
}

/// <summary>Checks the <c>Aws</c> section at start; each message names the key to fix.</summary>
public sealed partial class AwsOptionsValidator : IValidateOptions<AwsOptions>
{
    public ValidateOptionsResult Validate(string? name, AwsOptions options)
    {
        var errors = new List<string>();
        var s = AwsOptions.Section;
        if (options.ServiceUrl is { Length: > 0 } url
            && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"{s}:ServiceUrl is not an http(s) URL: '{url}'");
        }

        if (options.MaxParallelism is < 1 or > 64)
        {
            errors.Add($"{s}:MaxParallelism must be between 1 and 64");
        }

        if (options.MaxAttempts is < 1 or > 20)
        {
            errors.Add($"{s}:MaxAttempts must be between 1 and 20");
        }

        if (options.RequestTimeoutSeconds <= 0)
        {
            errors.Add($"{s}:RequestTimeoutSeconds must be positive");
        }

        if (options.ReadDeadlineSeconds is <= 0 or > 600)
        {
            errors.Add($"{s}:ReadDeadlineSeconds must be more than 0 and at most 600");
        }

        if (options.FailedRegionRetrySeconds is < 0 or > 3600)
        {
            errors.Add($"{s}:FailedRegionRetrySeconds must be between 0 and 3600");
        }

        if (options.InventoryMaxAgeSeconds < 0)
        {
            errors.Add($"{s}:InventoryMaxAgeSeconds must not be negative");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Accounts.Count; i++)
        {
            var a = options.Accounts[i];
            var key = $"{s}:Accounts:{i}";
            if (!AccountId().IsMatch(a.Id ?? ""))
            {
                errors.Add($"{key}:Id must be a 12-digit AWS account id");
            }
            else if (!seen.Add(a.Id!))
            {
                errors.Add($"{key}:Id repeats account {a.Id}");
            }

            if (!string.IsNullOrEmpty(a.RoleArn) && !RoleArn().IsMatch(a.RoleArn))
            {
                errors.Add($"{key}:RoleArn is not an ARN");
            }
            else if (!string.IsNullOrEmpty(a.RoleArn) && AccountId().IsMatch(a.Id ?? "") && a.RoleArn.Split(':')[4] != a.Id)
            {
                errors.Add($"{key}:RoleArn names account {a.RoleArn.Split(':')[4]}, not {a.Id}");
            }

            if (!string.IsNullOrEmpty(a.ExternalId) && string.IsNullOrEmpty(a.RoleArn))
            {
                errors.Add($"{key}:ExternalId needs {key}:RoleArn");
            }

            if (a.ExternalId is { Length: > 0 } ext && (ext.Length < 2 || ext.Length > 1224 || !ExternalId().IsMatch(ext)))
            {
                errors.Add($"{key}:ExternalId must be 2-1224 characters of letters, digits and +=,.@:/-");
            }

            if (a.Regions.Count == 0)
            {
                errors.Add($"{key}:Regions must name at least one region");
            }

            for (var r = 0; r < a.Regions.Count; r++)
            {
                if (!Region().IsMatch(a.Regions[r] ?? ""))
                {
                    errors.Add($"{key}:Regions:{r} is not an AWS region name: '{a.Regions[r]}'");
                }
                else if (options.EffectiveServiceUrl is null && !KnownRegions.Value.Contains(a.Regions[r]))
                {
                    errors.Add($"{key}:Regions:{r} is not a region AWS knows: '{a.Regions[r]}'");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Region names AWS uses: partition prefix, area, direction, number (us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ap-southeast-7).</summary>
    internal static bool IsRegionName(string region) => Region().IsMatch(region);

    private static readonly Lazy<HashSet<string>> KnownRegions = new(() =>
        Amazon.RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).ToHashSet(StringComparer.Ordinal));

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountId();

    [GeneratedRegex(@"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$")]
    private static partial Regex RoleArn();

    [GeneratedRegex(@"^[\w+=,.@:/-]+$")]
    private static partial Regex ExternalId();

    [GeneratedRegex("^[a-z]{2}(-gov|-iso|-isob)?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-[1-9]$")]
    private static partial Regex Region();
}
