using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Actions;

/// <summary>Tag edits and protection changes through <see cref="IInstanceAttributes"/>, instance by instance.</summary>
public sealed class InstanceSettingsExecutor(IInstanceAttributes attributes, IFleetEvents? events = null) : IActionExecutor
{
    /// <summary>Parameter prefix of a tag to add or overwrite: <c>tag:KEY</c> = value.</summary>
    public const string SetTagPrefix = "tag:";

    /// <summary>Parameter prefix of a tag to remove: <c>untag:KEY</c>.</summary>
    public const string RemoveTagPrefix = "untag:";

    /// <summary>
    /// Parameter prefix of a condition: <c>expect:KEY</c> = value. The edit runs only on an instance that carries no tag KEY or
    /// carries it with this value (compared without case); one that carries another value (set by someone since the request was
    /// made) is left untouched and reported as failed.
    /// </summary>
    public const string ExpectTagPrefix = "expect:";

    /// <summary>"true" or "false": turn termination protection on or off.</summary>
    public const string TerminationProtection = "terminationProtection";

    /// <summary>"true" or "false": turn stop protection on or off.</summary>
    public const string StopProtection = "stopProtection";

    public bool CanExecute(ActionKind kind) => kind == ActionKind.EditTags || kind == ActionKind.SetProtection;

    /// <summary>The parameters of a tag edit.</summary>
    public static IReadOnlyDictionary<string, string> TagChanges(IReadOnlyDictionary<string, string> set, IEnumerable<string> remove)
    {
        var p = set.ToDictionary(t => SetTagPrefix + t.Key, t => t.Value, StringComparer.Ordinal);
        foreach (var key in remove)
        {
            p[RemoveTagPrefix + key] = string.Empty;
        }

        return p;
    }

    /// <summary>The tags an instance will carry after a tag edit with these parameters (what the edit is authorized on, besides the tags before).</summary>
    public static IReadOnlyDictionary<string, string> ApplyTagChanges(IReadOnlyDictionary<string, string> tags, IReadOnlyDictionary<string, string> parameters)
    {
        var after = new Dictionary<string, string>(tags, StringComparer.Ordinal);
        foreach (var (key, value) in parameters)
        {
            if (key.StartsWith(SetTagPrefix, StringComparison.Ordinal))
            {
                after[key[SetTagPrefix.Length..]] = value;
            }
            else if (key.StartsWith(RemoveTagPrefix, StringComparison.Ordinal))
            {
                after.Remove(key[RemoveTagPrefix.Length..]);
            }
        }

        return after;
    }

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var requestIds = new List<string>();
        foreach (var target in targets)
        {
            try
            {
                string? requestId;
                if (kind == ActionKind.EditTags)
                {
                    if (Unexpected(target.Tags, parameters) is { } conflict)
                    {
                        failures.Add($"{target.Ref.InstanceId}: {conflict}");
                        continue;
                    }

                    var set = parameters.Where(p => p.Key.StartsWith(SetTagPrefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[SetTagPrefix.Length..], p => p.Value, StringComparer.Ordinal);
                    var remove = parameters.Keys.Where(k => k.StartsWith(RemoveTagPrefix, StringComparison.Ordinal)).Select(k => k[RemoveTagPrefix.Length..]).ToList();
                    requestId = await attributes.SetTagsAsync(target.Ref, set, remove, cancellationToken);
                }
                else
                {
                    requestId = await attributes.SetProtectionAsync(target.Ref, Flag(parameters, TerminationProtection), Flag(parameters, StopProtection), cancellationToken);
                }

                if (requestId is not null)
                {
                    requestIds.Add(requestId);
                }

                events?.Publish(target.Ref);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Add($"{target.Ref.InstanceId}: {e.Message}");
            }
        }

        var what = kind == ActionKind.EditTags ? "Tags changed" : "Protection changed";
        var summary = failures.Count == 0
            ? $"{what} on {targets.Count} instance(s)."
            : $"{kind.Verb} failed for {failures.Count} of {targets.Count}: {string.Join("; ", failures.Take(5))}";
        return new ActionExecution(failures.Count == 0, summary, requestIds.Count == 0 ? null : string.Join(",", requestIds));
    }

    /// <summary>The first <see cref="ExpectTagPrefix"/> condition the tags break, in words; null when all hold.</summary>
    public static string? Unexpected(IReadOnlyDictionary<string, string> tags, IReadOnlyDictionary<string, string> parameters)
    {
        foreach (var (key, expected) in parameters)
        {
            if (key.StartsWith(ExpectTagPrefix, StringComparison.Ordinal)
                && tags.TryGetValue(key[ExpectTagPrefix.Length..], out var value)
                && !string.Equals(value?.Trim(), expected.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return $"it carries {key[ExpectTagPrefix.Length..]}={value} now; left unchanged.";
            }
        }

        return null;
    }

    private static bool? Flag(IReadOnlyDictionary<string, string> parameters, string key) =>
        parameters.GetValueOrDefault(key) switch
        {
            "true" => true,
            "false" => false,
            _ => null,
        };
}
