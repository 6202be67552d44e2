using System.Globalization;

namespace PortalOps.Domain.Scaling;

/// <summary>New bounds and desired capacity for a group. <see cref="Check"/> names every bad field; nothing bad is sent.</summary>
public sealed record CapacityChange(int MinSize, int DesiredCapacity, int MaxSize)
{
    public const string MinField = nameof(MinSize);
    public const string DesiredField = nameof(DesiredCapacity);
    public const string MaxField = nameof(MaxSize);

    /// <summary>The most a group may ask for through PortalOps (AWS's own limits are per account).</summary>
    public const int Ceiling = 10_000;

    public const string MinParameter = "min";
    public const string DesiredParameter = "desired";
    public const string MaxParameter = "max";

    public IReadOnlyDictionary<string, string> Check()
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (problem, field) in Problems(MinSize, DesiredCapacity, MaxSize, MinField, DesiredField, MaxField))
        {
            problems.TryAdd(field, problem);
        }

        return problems;
    }

    /// <summary>The same group with this change applied to its bounds.</summary>
    public static CapacityChange Of(ScalingGroup group) => new(group.MinSize, group.DesiredCapacity, group.MaxSize);

    /// <summary>Desired moved by <paramref name="by"/>, the bounds unchanged (a desired outside them is refused by <see cref="Check"/>).</summary>
    public CapacityChange WithDesired(int desired) => this with { DesiredCapacity = desired };

    public IReadOnlyDictionary<string, string> ToParameters() => new Dictionary<string, string>
    {
        [MinParameter] = MinSize.ToString(CultureInfo.InvariantCulture),
        [DesiredParameter] = DesiredCapacity.ToString(CultureInfo.InvariantCulture),
        [MaxParameter] = MaxSize.ToString(CultureInfo.InvariantCulture),
    };

    public static CapacityChange? FromParameters(IReadOnlyDictionary<string, string> parameters) =>
        int.TryParse(parameters.GetValueOrDefault(MinParameter), NumberStyles.Integer, CultureInfo.InvariantCulture, out var min)
        && int.TryParse(parameters.GetValueOrDefault(DesiredParameter), NumberStyles.Integer, CultureInfo.InvariantCulture, out var desired)
        && int.TryParse(parameters.GetValueOrDefault(MaxParameter), NumberStyles.Integer, CultureInfo.InvariantCulture, out var max)
            ? new CapacityChange(min, desired, max)
            : null;

    public override string ToString() => $"min {MinSize}, desired {DesiredCapacity}, max {MaxSize}";

    /// <summary>Problems with capacity values where any may be absent (scheduled actions set only some), with the field each belongs to.</summary>
    internal static IEnumerable<(string Problem, string Field)> Problems(int? min, int? desired, int? max, string minField, string desiredField, string maxField)
    {
        if (min is < 0 or > Ceiling)
        {
            yield return ($"Min is between 0 and {Ceiling}.", minField);
        }

        if (max is < 0 or > Ceiling)
        {
            yield return ($"Max is between 0 and {Ceiling}.", maxField);
        }

        if (min is { } lo && max is { } hi && lo > hi)
        {
            yield return ($"Max ({hi}) is below min ({lo}).", maxField);
        }

        if (desired is { } d)
        {
            if (d < 0)
            {
                yield return ("Desired is 0 or more.", desiredField);
            }
            else if ((min is { } l && d < l) || (max is { } h && d > h))
            {
                yield return ($"Desired is between min ({min?.ToString(CultureInfo.InvariantCulture) ?? "0"}) and max ({max?.ToString(CultureInfo.InvariantCulture) ?? "–"}).", desiredField);
            }
        }
    }
}
