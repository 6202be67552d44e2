using System.Text.Json;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Approvals;

/// <summary>The approval rules an Admin saved, with who saved them and when.</summary>
public sealed record StoredApprovalRules(IReadOnlyList<ApprovalRule> Rules, string UpdatedBy, DateTimeOffset UpdatedAt, int Version);

/// <summary>Keeps the saved approval rules. Nothing saved yet means the defaults apply.</summary>
public interface IApprovalRuleStore
{
    Task<StoredApprovalRules?> LoadAsync(CancellationToken cancellationToken = default);

    /// <summary>Saves if the stored version is still <paramref name="expectedVersion"/> (-1: nothing saved yet); otherwise throws <see cref="ConcurrencyConflictException"/>.</summary>
    Task SaveAsync(StoredApprovalRules rules, int expectedVersion, CancellationToken cancellationToken = default);
}

/// <summary>The Admin's approval rules editor: checks the rules, saves them, and audits every change.</summary>
public sealed class ApprovalRulesEditor(IApprovalRuleStore store, IAuditLog audit, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>The saved rules, or the defaults with version -1 when none were saved.</summary>
    public async Task<StoredApprovalRules> CurrentAsync(CancellationToken cancellationToken = default) =>
        await store.LoadAsync(cancellationToken) ?? new StoredApprovalRules(ApprovalPolicy.DefaultRules, "defaults", DateTimeOffset.MinValue, -1);

    /// <summary>Problems with the rules, one message per rule index (empty when they may be saved).</summary>
    public static IReadOnlyDictionary<int, string> Check(IReadOnlyList<ApprovalRule> rules)
    {
        var problems = new Dictionary<int, string>();
        for (var i = 0; i < rules.Count; i++)
        {
            var r = rules[i];
            var problem =
                string.IsNullOrWhiteSpace(r.Name) ? "Give the rule a name."
                : rules.Take(i).Any(o => string.Equals(o.Name.Trim(), r.Name.Trim(), StringComparison.OrdinalIgnoreCase)) ? $"Another rule is already called '{r.Name.Trim()}'."
                : r.MinTargets is < 1 or > ActionPipeline.MaxTargets ? $"The count is between 1 and {ActionPipeline.MaxTargets}."
                : r.Kinds.FirstOrDefault(k => ActionKind.Find(k) is null) is { } unknown ? $"'{unknown}' is not an action."
                : r.TagValue is { Length: > 0 } && string.IsNullOrWhiteSpace(r.TagKey) ? "A tag value needs a tag key."
                : r.TagKey is { Length: > 128 } ? "A tag key is at most 128 characters."
                : null;
            if (problem is not null)
            {
                problems[i] = problem;
            }
        }

        return problems;
    }

    public async Task<StoredApprovalRules> SaveAsync(Actor actor, IReadOnlyList<ApprovalRule> rules, int expectedVersion, CancellationToken cancellationToken = default)
    {
        var decision = Actions.Authorizer.AuthorizeAdministration(actor, "changing approval rules");
        if (!decision.Allowed)
        {
            var refusal = decision.Reason!;
            await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "approval.rules.update", "approval-rules", AuditOutcome.Denied, refusal), cancellationToken);
            throw new DomainException(refusal);
        }

        if (Check(rules) is { Count: > 0 } problems)
        {
            throw new DomainException($"Rule {problems.First().Key + 1}: {problems.First().Value}");
        }

        var previous = await CurrentAsync(cancellationToken);
        var cleaned = rules.Select(r => new ApprovalRule(r.Name.Trim(), r.Kinds.Distinct().ToList(), r.MinTargets, string.IsNullOrWhiteSpace(r.TagKey) ? null : r.TagKey.Trim(), string.IsNullOrWhiteSpace(r.TagValue) ? null : r.TagValue.Trim())
        {
            Environments = r.Environments.Select(e => e.Trim()).Where(e => e.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
        }).ToList();
        var saved = new StoredApprovalRules(cleaned, actor.Name, clock.GetUtcNow(), expectedVersion + 1);
        await store.SaveAsync(saved, expectedVersion, cancellationToken);
        await audit.AppendAsync(new AuditEvent(actor.Name, actor.UserId, actor.Channel, "approval.rules.update", "approval-rules", AuditOutcome.Succeeded,
            $"{cleaned.Count} rule(s): {string.Join("; ", cleaned.Select(Describe))}",
            JsonSerializer.Serialize(new { before = previous.Rules.Select(Describe), after = cleaned.Select(Describe) }, Json)), cancellationToken);
        return saved;
    }

    /// <summary>"Terminate needs approval: instances.terminate, ≥ 1, env in prod".</summary>
    public static string Describe(ApprovalRule r) =>
        $"{r.Name}: {(r.Kinds.Count == 0 ? "any action" : string.Join(", ", r.Kinds))}, {r.MinTargets}+ instance(s)"
        + (r.TagKey is null ? string.Empty : $", tag {r.TagKey}{(r.TagValue is null ? string.Empty : "=" + r.TagValue)}")
        + (r.Environments.Count == 0 ? string.Empty : $", env in {string.Join("/", r.Environments)}");
}
