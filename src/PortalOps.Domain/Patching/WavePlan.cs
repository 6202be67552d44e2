using PortalOps.Domain.Common;

namespace PortalOps.Domain.Patching;

/// <summary>
/// How a run splits its instances: a canary wave of <see cref="CanaryPercent"/> first, then the rest in batches of
/// <see cref="BatchPercent"/> of the whole group. Each wave holds at least one instance. 0 % or over 100 % is refused.
/// </summary>
public sealed record WavePlan(int CanaryPercent, int BatchPercent)
{
    public const string CanaryField = nameof(CanaryPercent);
    public const string BatchField = nameof(BatchPercent);

    public static WavePlan Default { get; } = new(10, 30);

    /// <summary>Field → message; empty when the plan may be used.</summary>
    public static IReadOnlyDictionary<string, string> Problems(int canaryPercent, int batchPercent)
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        if (canaryPercent is < 1 or > 100)
        {
            problems[CanaryField] = $"A canary wave is 1 to 100 % of the group, not {canaryPercent} %.";
        }

        if (batchPercent is < 1 or > 100)
        {
            problems[BatchField] = $"A batch is 1 to 100 % of the group, not {batchPercent} %.";
        }

        return problems;
    }

    public static WavePlan Create(int canaryPercent, int batchPercent)
    {
        var problems = Problems(canaryPercent, batchPercent);
        return problems.Count == 0 ? new WavePlan(canaryPercent, batchPercent) : throw new DomainException(string.Join(" ", problems.Values));
    }

    /// <summary>The size of each wave for <paramref name="count"/> instances: canary first, then batches; they add up to the count.</summary>
    public IReadOnlyList<int> Sizes(int count)
    {
        var sizes = new List<int>();
        if (count <= 0)
        {
            return sizes;
        }

        var canary = Math.Clamp((int)Math.Ceiling(count * CanaryPercent / 100.0), 1, count);
        sizes.Add(canary);
        var batch = Math.Max(1, (int)Math.Ceiling(count * BatchPercent / 100.0));
        for (var left = count - canary; left > 0; left -= batch)
        {
            sizes.Add(Math.Min(batch, left));
        }

        return sizes;
    }
}
