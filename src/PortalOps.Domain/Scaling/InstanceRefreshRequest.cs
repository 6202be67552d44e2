using System.Globalization;

namespace PortalOps.Domain.Scaling;

/// <summary>
/// How to refresh a group's instances (StartInstanceRefresh's preferences and desired configuration): the share of capacity that
/// stays healthy while instances are replaced, how long a new instance warms up before it counts, whether instances already on
/// the desired launch template are skipped, the checkpoints where the refresh pauses (percentages of the group replaced, ascending,
/// the last 100) and how long it waits at each, whether AWS rolls back by itself when the refresh fails, and the launch template
/// version to move to (AWS rolls back only a refresh that names one). <see cref="Check"/> names every bad field; nothing bad is sent.
/// </summary>
public sealed record InstanceRefreshRequest(int MinHealthyPercentage = 90, int? InstanceWarmupSeconds = null, bool SkipMatching = false)
{
    public const string MinHealthyField = nameof(MinHealthyPercentage);
    public const string WarmupField = nameof(InstanceWarmupSeconds);
    public const string CheckpointsField = nameof(CheckpointPercentages);
    public const string CheckpointDelayField = nameof(CheckpointDelaySeconds);
    public const string AutoRollbackField = nameof(AutoRollback);
    public const string VersionField = nameof(LaunchTemplateVersion);

    public const string MinHealthyParameter = "minHealthy";
    public const string WarmupParameter = "warmup";
    public const string SkipMatchingParameter = "skipMatching";
    public const string CheckpointsParameter = "checkpoints";
    public const string CheckpointDelayParameter = "checkpointDelay";
    public const string AutoRollbackParameter = "autoRollback";
    public const string VersionParameter = "version";

    /// <summary>The longest warm-up PortalOps sends (a day); AWS itself sets no upper bound.</summary>
    public const int MaxWarmupSeconds = 86_400;

    /// <summary>The longest wait at a checkpoint AWS takes (RefreshPreferences.CheckpointDelay: 0–172,800 seconds, two days).</summary>
    public const int MaxCheckpointDelaySeconds = 172_800;

    /// <summary>Percentages of the group replaced at which the refresh pauses; empty: no checkpoints.</summary>
    public IReadOnlyList<int> CheckpointPercentages { get; init; } = [];

    /// <summary>How long the refresh waits at each checkpoint; null: AWS's default of an hour (only with checkpoints).</summary>
    public int? CheckpointDelaySeconds { get; init; }

    /// <summary>Roll back to the previous configuration by itself when the refresh fails (needs <see cref="LaunchTemplateVersion"/>).</summary>
    public bool AutoRollback { get; init; }

    /// <summary>The launch template version to move the group to (a version number); null: the group's own template as it is.</summary>
    public string? LaunchTemplateVersion { get; init; }

    public IReadOnlyDictionary<string, string> Check()
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        if (MinHealthyPercentage is < 0 or > 100)
        {
            problems[MinHealthyField] = "Minimum healthy is a percentage between 0 and 100.";
        }

        if (InstanceWarmupSeconds is < 0 or > MaxWarmupSeconds)
        {
            problems[WarmupField] = $"Warm-up is between 0 and {MaxWarmupSeconds} seconds (empty: the group's default).";
        }

        if (CheckpointProblem(CheckpointPercentages) is { } checkpoints)
        {
            problems[CheckpointsField] = checkpoints;
        }

        if (CheckpointDelaySeconds is { } delay)
        {
            if (delay is < 0 or > MaxCheckpointDelaySeconds)
            {
                problems[CheckpointDelayField] = $"The checkpoint delay is between 0 and {MaxCheckpointDelaySeconds} seconds (2 days).";
            }
            else if (CheckpointPercentages.Count == 0)
            {
                problems[CheckpointDelayField] = "A checkpoint delay needs checkpoints.";
            }
        }

        if (LaunchTemplateVersion is { } version && !IsVersion(version))
        {
            problems[VersionField] = "A launch template version is a whole number of 1 or more (empty: the group's template as it is).";
        }

        if (AutoRollback && LaunchTemplateVersion is null)
        {
            problems[AutoRollbackField] = "Auto rollback needs a desired launch template version: AWS rolls back only to a configuration it recorded.";
        }

        return problems;
    }

    /// <summary>What is wrong with checkpoint percentages (null when AWS takes them): each 1–100, strictly ascending, the last 100.</summary>
    public static string? CheckpointProblem(IReadOnlyList<int> checkpoints)
    {
        if (checkpoints.Count == 0)
        {
            return null;
        }

        if (checkpoints.Any(c => c is < 1 or > 100))
        {
            return "Each checkpoint is a percentage between 1 and 100.";
        }

        for (var n = 1; n < checkpoints.Count; n++)
        {
            if (checkpoints[n] <= checkpoints[n - 1])
            {
                return "Checkpoints go in ascending order, each once.";
            }
        }

        return checkpoints[^1] != 100 ? "The last checkpoint is 100 (the whole group replaced)." : null;
    }

    /// <summary>
    /// Reads checkpoints as people type them ("20, 50, 100"); empty text is no checkpoints. Null with a problem when a part is not a
    /// whole number.
    /// </summary>
    public static (IReadOnlyList<int>? Checkpoints, string? Problem) ParseCheckpoints(string? text)
    {
        var parts = (text ?? string.Empty).Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new List<int>(parts.Length);
        foreach (var part in parts)
        {
            if (!int.TryParse(part.TrimEnd('%'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                return (null, $"'{part}' is not a whole percentage; give checkpoints like 20, 50, 100.");
            }

            values.Add(value);
        }

        return (values, null);
    }

    private static bool IsVersion(string version) =>
        long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1;

    public IReadOnlyDictionary<string, string> ToParameters()
    {
        var parameters = new Dictionary<string, string>
        {
            [MinHealthyParameter] = MinHealthyPercentage.ToString(CultureInfo.InvariantCulture),
            [SkipMatchingParameter] = SkipMatching ? "true" : "false",
        };
        if (InstanceWarmupSeconds is { } warmup)
        {
            parameters[WarmupParameter] = warmup.ToString(CultureInfo.InvariantCulture);
        }

        if (CheckpointPercentages.Count > 0)
        {
            parameters[CheckpointsParameter] = string.Join(",", CheckpointPercentages.Select(c => c.ToString(CultureInfo.InvariantCulture)));
        }

        if (CheckpointDelaySeconds is { } delay)
        {
            parameters[CheckpointDelayParameter] = delay.ToString(CultureInfo.InvariantCulture);
        }

        if (AutoRollback)
        {
            parameters[AutoRollbackParameter] = "true";
        }

        if (LaunchTemplateVersion is { } version)
        {
            parameters[VersionParameter] = version;
        }

        return parameters;
    }

    public static InstanceRefreshRequest? FromParameters(IReadOnlyDictionary<string, string> parameters)
    {
        if (!int.TryParse(parameters.GetValueOrDefault(MinHealthyParameter), NumberStyles.Integer, CultureInfo.InvariantCulture, out var minHealthy))
        {
            return null;
        }

        if (!OptionalInt(parameters, WarmupParameter, out var warmup) || !OptionalInt(parameters, CheckpointDelayParameter, out var delay))
        {
            return null;
        }

        IReadOnlyList<int> checkpoints = [];
        if (parameters.GetValueOrDefault(CheckpointsParameter) is { } text)
        {
            var (parsed, problem) = ParseCheckpoints(text);
            if (problem is not null)
            {
                return null;
            }

            checkpoints = parsed!;
        }

        return new InstanceRefreshRequest(minHealthy, warmup, string.Equals(parameters.GetValueOrDefault(SkipMatchingParameter), "true", StringComparison.OrdinalIgnoreCase))
        {
            CheckpointPercentages = checkpoints,
            CheckpointDelaySeconds = delay,
            AutoRollback = string.Equals(parameters.GetValueOrDefault(AutoRollbackParameter), "true", StringComparison.OrdinalIgnoreCase),
            LaunchTemplateVersion = parameters.GetValueOrDefault(VersionParameter),
        };
    }

    private static bool OptionalInt(IReadOnlyDictionary<string, string> parameters, string name, out int? value)
    {
        value = null;
        if (parameters.GetValueOrDefault(name) is not { } text)
        {
            return true;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            return false;
        }

        value = parsed;
        return true;
    }

    public override string ToString() =>
        $"min healthy {MinHealthyPercentage}%, warm-up {(InstanceWarmupSeconds is { } w ? $"{w} s" : "group default")}{(SkipMatching ? ", skipping matching instances" : string.Empty)}"
        + (CheckpointPercentages.Count > 0 ? $", checkpoints {string.Join("/", CheckpointPercentages)}% with {(CheckpointDelaySeconds is { } d ? $"{d} s" : "1 h")} delay" : string.Empty)
        + (LaunchTemplateVersion is { } v ? $", to launch template version {v}" : string.Empty)
        + (AutoRollback ? ", auto rollback" : string.Empty);
}
