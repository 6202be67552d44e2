using PortalOps.Domain.Actions;

namespace PortalOps.Domain.Approvals;

/// <summary>One rule: these kinds of action (empty = any), on at least this many targets, optionally only on targets with a tag, need approval.</summary>
public sealed record ApprovalRule(string Name, IReadOnlyList<string> Kinds, int MinTargets = 1, string? TagKey = null, string? TagValue = null)
{
    public bool Applies(ActionKind kind, IReadOnlyList<ResolvedTarget> targets)
    {
        if (Kinds.Count > 0 && !Kinds.Contains(kind.Name))
        {
            return false;
        }

        if (targets.Count < MinTargets)
        {
            return false;
        }

        return TagKey is null || targets.Any(t => t.Tags.TryGetValue(TagKey, out var v) && (TagValue is null || string.Equals(v, TagValue, StringComparison.OrdinalIgnoreCase)));
    }
}

/// <summary>Decides whether an action runs now or waits for an approver.</summary>
public sealed class ApprovalPolicy(IEnumerable<ApprovalRule> rules, TimeSpan lifetime)
{
    /// <summary>Terminate always needs approval, and so does any action on more than 5 instances.</summary>
    public static ApprovalPolicy Default { get; } = new(
        [
            new ApprovalRule("Terminate needs approval", [ActionKind.TerminateInstances.Name]),
            new ApprovalRule("Bulk actions over 5 instances need approval", [], MinTargets: 6),
        ],
        TimeSpan.FromHours(24));

    public IReadOnlyList<ApprovalRule> Rules { get; } = rules.ToList();

    /// <summary>How long a request waits for a decision before it expires.</summary>
    public TimeSpan Lifetime { get; } = lifetime > TimeSpan.Zero ? lifetime : throw new ArgumentOutOfRangeException(nameof(lifetime));

    /// <summary>The first rule that applies, or null when the action may run at once.</summary>
    public ApprovalRule? RuleFor(ActionKind kind, IReadOnlyList<ResolvedTarget> targets) =>
        Rules.FirstOrDefault(r => r.Applies(kind, targets));
}
