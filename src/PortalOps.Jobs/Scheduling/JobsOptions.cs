using Microsoft.Extensions.Options;

namespace PortalOps.Jobs.Scheduling;

/// <summary>Background processing (section "Jobs").</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary><c>all</c> (default): serve pages and run jobs; <c>web</c>: serve pages, only enqueue; <c>worker</c>: run jobs.</summary>
    public string Role { get; set; } = NodeRoles.All;

    /// <summary>How many jobs this node runs at once.</summary>
    public int WorkerCount { get; set; } = 4;

    /// <summary>How often an idle worker looks for new jobs.</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// On a <c>worker</c> node, the only addresses it listens on (separated by <c>;</c>), where it answers <c>/health</c> and nothing
    /// else; empty (default): a worker listens on no port at all, so any number of workers share a host. Ignored by other roles.
    /// </summary>
    public string? WorkerHealthUrls { get; set; }

    /// <summary>
    /// PostgreSQL only: how long a job fetched by a worker that stopped answering (killed, cut off from the database) stays
    /// invisible before another worker runs it again. A live worker renews its hold on the jobs it runs well within this time.
    /// </summary>
    public TimeSpan AbandonedJobTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>True when this node runs a Hangfire server.</summary>
    public bool RunsServer => NodeRoles.RunsServer(Role);

    /// <summary>The addresses of <see cref="WorkerHealthUrls"/>, trimmed, without empty entries.</summary>
    public static IReadOnlyList<string> SplitUrls(string? urls) =>
        (urls ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>The node roles of <c>Jobs:Role</c>.</summary>
public static class NodeRoles
{
    public const string All = "all";
    public const string Web = "web";
    public const string Worker = "worker";

    public static IReadOnlyList<string> Known { get; } = [All, Web, Worker];

    /// <summary>True for a <c>worker</c> node: it runs jobs and serves no pages.</summary>
    public static bool IsWorker(string? role) => string.Equals(role?.Trim(), Worker, StringComparison.OrdinalIgnoreCase);

    /// <summary>True for a <c>web</c> node: it serves pages and runs no jobs and no Telegram poller.</summary>
    public static bool IsWeb(string? role) => string.Equals(role?.Trim(), Web, StringComparison.OrdinalIgnoreCase);

    public static bool IsKnown(string? role) => Known.Contains(role?.Trim() ?? string.Empty, StringComparer.OrdinalIgnoreCase);

    /// <summary>Only <c>all</c> and <c>worker</c> nodes process jobs (an unset role means <c>all</c>).</summary>
    public static bool RunsServer(string? role) =>
        string.IsNullOrWhiteSpace(role)
        || string.Equals(role.Trim(), All, StringComparison.OrdinalIgnoreCase)
        || string.Equals(role.Trim(), Worker, StringComparison.OrdinalIgnoreCase);
}

internal sealed class JobsOptionsValidator : IValidateOptions<JobsOptions>
{
    public ValidateOptionsResult Validate(string? name, JobsOptions options)
    {
        var failures = new List<string>();
        if (!NodeRoles.IsKnown(options.Role))
        {
            failures.Add($"{JobsOptions.Section}:{nameof(JobsOptions.Role)} must be one of {string.Join(", ", NodeRoles.Known)} (it is '{options.Role}').");
        }

        if (options.WorkerCount is < 1 or > 100)
        {
            failures.Add($"{JobsOptions.Section}:{nameof(JobsOptions.WorkerCount)} must be between 1 and 100 (it is {options.WorkerCount}).");
        }

        if (options.QueuePollInterval < TimeSpan.FromMilliseconds(100) || options.QueuePollInterval > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{JobsOptions.Section}:{nameof(JobsOptions.QueuePollInterval)} must be between 00:00:00.1 and 00:05:00 (it is {options.QueuePollInterval}).");
        }

        if (options.AbandonedJobTimeout < TimeSpan.FromSeconds(5) || options.AbandonedJobTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"{JobsOptions.Section}:{nameof(JobsOptions.AbandonedJobTimeout)} must be between 00:00:05 and 01:00:00 (it is {options.AbandonedJobTimeout}).");
        }

        foreach (var url in JobsOptions.SplitUrls(options.WorkerHealthUrls))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.AbsolutePath != "/"
                || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
            {
                failures.Add($"{JobsOptions.Section}:{nameof(JobsOptions.WorkerHealthUrls)} must list http:// or https:// addresses with a host and port and no path, separated by ';' (it has '{url}').");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
