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

    /// <summary>True when this node runs a Hangfire server.</summary>
    public bool RunsServer => NodeRoles.RunsServer(Role);
}

/// <summary>The node roles of <c>Jobs:Role</c>.</summary>
public static class NodeRoles
{
    public const string All = "all";
    public const string Web = "web";
    public const string Worker = "worker";

    public static IReadOnlyList<string> Known { get; } = [All, Web, Worker];

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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
