using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Compliance;

/// <summary>One resource violating one policy, with the evidence the filters gave.</summary>
public sealed record Violation(Policy Policy, ComplianceResource Resource, string Evidence)
{
    public string FindingKey => Finding.KeyOf(Policy.Id, Resource.Key);
}

/// <summary>How many resources of one account × region a policy looked at, and how many violated it.</summary>
public sealed record PolicyTally(string PolicyId, CloudScope Scope, int Evaluated, int Violating);

/// <summary>What evaluating the policies over one inventory found.</summary>
public sealed record EvaluationResult(IReadOnlyList<Violation> Violations, IReadOnlyList<PolicyTally> Tallies, IReadOnlySet<string> PoliciesEvaluated);

/// <summary>
/// Evaluates every enabled policy over one inventory snapshot, in process: each policy walks only the resources of its type,
/// so the cost is the sum over policies of their type's count, with no I/O.
/// </summary>
public static class PolicyEvaluator
{
    public static EvaluationResult Evaluate(IEnumerable<Policy> policies, ComplianceInventory inventory, EvaluationContext context)
    {
        var violations = new List<Violation>();
        var tallies = new List<PolicyTally>();
        var evaluated = new HashSet<string>(StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            if (!policy.Enabled)
            {
                continue;
            }

            evaluated.Add(policy.Id);
            var counts = new Dictionary<CloudScope, (int Evaluated, int Violating)>();
            foreach (var scope in inventory.Scanned)
            {
                counts[scope] = (0, 0);
            }

            foreach (var resource in inventory.Of(policy.Resource))
            {
                var evidence = policy.Match(resource, context);
                counts.TryGetValue(resource.Scope, out var c);
                counts[resource.Scope] = (c.Evaluated + 1, c.Violating + (evidence is null ? 0 : 1));
                if (evidence is not null)
                {
                    violations.Add(new Violation(policy, resource, evidence));
                }
            }

            tallies.AddRange(counts.Select(kv => new PolicyTally(policy.Id, kv.Key, kv.Value.Evaluated, kv.Value.Violating)));
        }

        return new EvaluationResult(violations, tallies, evaluated);
    }

    /// <summary>The share of evaluated resources that comply, 0–100; 100 when nothing was evaluated.</summary>
    public static double Score(int evaluated, int violating) => evaluated == 0 ? 100 : Math.Round(100.0 * (evaluated - violating) / evaluated, 1);
}
