using PortalOps.Domain.Actions;

namespace PortalOps.Domain.Approvals;

/// <summary>
/// One rule: these kinds of action (empty = any), on at least this many targets, optionally only on targets with a tag
/// or in some environments (the value of their <c>env</c> or <c>environment</c> tag), need approval.
/// </summary>
public sealed record ApprovalRule(string Name, IReadOnlyList<string> Kinds, int MinTargets = 1, string? TagKey = null, string? TagValue = null)
{
    /// <summary>Environments (values of the <c>env</c> / <c>environment</c> tag) the rule is limited to; empty = any.</summary>
    public IReadOnlyList<string> Environments { get; init; } = [];

    public bool Applies(ActionKind kind, IReadOnlyList<ResolvedTarget> targets) => Applies(kind, targets, targets.Count);

    /// <summary>Whether the rule applies; <paramref name="count"/> is how many instances are concerned (for a launch, how many it makes).</summary>
    public bool Applies(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, int count)
    {
        if (Kinds.Count > 0 && !Kinds.Contains(kind.Name))
        {
            return false;
        }

        if (count < MinTargets)
        {
            return false;
        }

        if (Environments.Count > 0 && !targets.Any(t => EnvironmentOf(t.Tags) is { } env && Environments.Contains(env, StringComparer.OrdinalIgnoreCase)))
        {
            return false;
        }

        return TagKey is null || targets.Any(t => t.Tags.TryGetValue(TagKey, out var v) && (TagValue is null || string.Equals(v, TagValue, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>The value of a resource's <c>env</c> or <c>environment</c> tag (any case), if it has one.</summary>
    public static string? EnvironmentOf(IReadOnlyDictionary<string, string> tags) =>
        tags.FirstOrDefault(t => string.Equals(t.Key, "env", StringComparison.OrdinalIgnoreCase) || string.Equals(t.Key, "environment", StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>Decides whether an action runs now or waits for an approver.</summary>
public sealed class ApprovalPolicy(IEnumerable<ApprovalRule> rules, TimeSpan lifetime)
{
    /// <summary>Terminate always needs approval (with or without a final snapshot), and so does any action on more than 5 instances.</summary>
    public static ApprovalPolicy Default { get; } = new(DefaultRules, TimeSpan.FromHours(24));

    public static IReadOnlyList<ApprovalRule> DefaultRules =>
    [
        new ApprovalRule("Terminate needs approval", [ActionKind.TerminateInstances.Name, ActionKind.SnapshotAndTerminateInstances.Name]),
        new ApprovalRule("Bulk actions over 5 instances need approval", [], MinTargets: 6),
    ];

    public IReadOnlyList<ApprovalRule> Rules { get; } = rules.ToList();

    /// <summary>How long a request waits for a decision before it expires.</summary>
    public TimeSpan Lifetime { get; } = lifetime > TimeSpan.Zero ? lifetime : throw new ArgumentOutOfRangeException(nameof(lifetime));

    /// <summary>The first rule that applies, or null when the action may run at once.</summary>
    public ApprovalRule? RuleFor(ActionKind kind, IReadOnlyList<ResolvedTarget> targets) => RuleFor(kind, targets, targets.Count);

    /// <summary>The first rule that applies to <paramref name="count"/> instances (a launch's count), or null.</summary>
    public ApprovalRule? RuleFor(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, int count) =>
        Rules.FirstOrDefault(r => r.Applies(kind, targets, count));
}
