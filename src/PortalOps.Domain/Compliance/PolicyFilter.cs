using System.Globalization;

namespace PortalOps.Domain.Compliance;

/// <summary>What a filter needs besides the resource: the clock's reading and the tags every resource must carry.</summary>
public sealed record EvaluationContext(DateTimeOffset Now, IReadOnlyList<string> RequiredTags);

/// <summary>One condition of a policy; a resource violates a policy when every filter matches it.</summary>
public abstract record PolicyFilter
{
    /// <summary>Null when the resource does not match; otherwise a short line of evidence ("encrypted is false").</summary>
    public abstract string? Match(ComplianceResource resource, EvaluationContext context);
}

/// <summary>A tag present (optionally with a value, compared without case) or absent.</summary>
public sealed record TagFilter(string Key, string? Value, bool Absent) : PolicyFilter
{
    public override string? Match(ComplianceResource resource, EvaluationContext context)
    {
        var has = resource.Tags.TryGetValue(Key, out var v);
        if (Absent)
        {
            return has ? null : $"tag {Key} is absent";
        }

        if (!has)
        {
            return null;
        }

        return Value is null ? $"tag {Key} is present" : string.Equals(v, Value, StringComparison.OrdinalIgnoreCase) ? $"tag {Key} is {v}" : null;
    }
}

public enum FieldOperator
{
    Equals,
    NotEquals,
    In,
    GreaterThan,
    LessThan,
}

/// <summary>Compares a field (<see cref="ResourceFields"/>) with a value of its kind.</summary>
public sealed record FieldFilter(string Field, FieldOperator Operator, IReadOnlyList<object> Values) : PolicyFilter
{
    public override string? Match(ComplianceResource resource, EvaluationContext context)
    {
        if (!resource.Fields.TryGetValue(Field, out var actual))
        {
            return null;
        }

        var hit = Operator switch
        {
            FieldOperator.Equals => Same(actual, Values[0]),
            FieldOperator.NotEquals => !Same(actual, Values[0]),
            FieldOperator.In => Values.Any(v => Same(actual, v)),
            FieldOperator.GreaterThan => actual is long a && a > Convert.ToInt64(Values[0], CultureInfo.InvariantCulture),
            FieldOperator.LessThan => actual is long b && b < Convert.ToInt64(Values[0], CultureInfo.InvariantCulture),
        };
        return hit ? actual is bool flag ? flag ? isTrue : isFalse : $"{Field} is {Show(actual)}" : null;
    }

    private readonly string isTrue = $"{Field} is true";
    private readonly string isFalse = $"{Field} is false";

    private static bool Same(object actual, object expected) => actual switch
    {
        string s => string.Equals(s, expected as string, StringComparison.OrdinalIgnoreCase),
        bool b => expected is bool e && b == e,
        long l => expected is long e2 && l == e2,
        _ => false,
    };

    private static string Show(object value) => value switch
    {
        bool b => b ? "true" : "false",
        string s when s.Length == 0 => "empty",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}

/// <summary>A time field lies more than <see cref="Days"/> days before now.</summary>
public sealed record AgeFilter(string Field, int Days) : PolicyFilter
{
    public override string? Match(ComplianceResource resource, EvaluationContext context) =>
        resource.Fields.TryGetValue(Field, out var v) && v is DateTimeOffset t && context.Now - t > TimeSpan.FromDays(Days)
            ? $"{Field} {t.UtcDateTime:yyyy-MM-dd} is {(int)(context.Now - t).TotalDays} days ago (limit {Days})"
            : null;
}

/// <summary>Tags missing from the resource: named keys, or (<see cref="Required"/>) the configured required tags.</summary>
public sealed record MissingTagsFilter(IReadOnlyList<string> Keys, bool Required) : PolicyFilter
{
    public override string? Match(ComplianceResource resource, EvaluationContext context)
    {
        var keys = Required ? context.RequiredTags : Keys;
        var missing = keys.Where(k => !resource.Tags.TryGetValue(k, out var v) || string.IsNullOrWhiteSpace(v)).ToList();
        return missing.Count == 0 ? null : $"missing tags: {string.Join(", ", missing)}";
    }
}

/// <summary>A security group rule lets the whole internet (0.0.0.0/0 or ::/0) reach one of the ports, or any port when none are named.</summary>
public sealed record WorldOpenFilter(IReadOnlyList<int> Ports) : PolicyFilter
{
    public static readonly IReadOnlyList<string> WorldSources = ["0.0.0.0/0", "::/0"];

    public override string? Match(ComplianceResource resource, EvaluationContext context)
    {
        foreach (var rule in resource.Inbound)
        {
            var world = rule.Sources.FirstOrDefault(s => WorldSources.Contains(s, StringComparer.Ordinal));
            if (world is null)
            {
                continue;
            }

            if (Ports.Count == 0)
            {
                return $"{Describe(rule)} open to {world}";
            }

            foreach (var port in Ports)
            {
                if (Covers(rule, port))
                {
                    return $"port {port} open to {world} ({Describe(rule)})";
                }
            }
        }

        return null;
    }

    /// <summary>True when the rule lets traffic reach the port (protocol -1 or a range holding it).</summary>
    public static bool Covers(Instances.SecurityRule rule, int port) =>
        rule.Protocol == "-1" || rule.FromPort is null || (rule.FromPort <= port && (rule.ToPort ?? rule.FromPort) >= port) || (rule.FromPort == -1);

    private static string Describe(Instances.SecurityRule rule) =>
        rule.Protocol == "-1" ? "all traffic" : rule.FromPort == rule.ToPort ? $"{rule.Protocol} {rule.FromPort}" : $"{rule.Protocol} {rule.FromPort}-{rule.ToPort}";
}
