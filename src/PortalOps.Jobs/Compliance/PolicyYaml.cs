using System.Globalization;
using System.Text.RegularExpressions;
using PortalOps.Domain.Compliance;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PortalOps.Jobs.Compliance;

/// <summary>
/// Reads a policy from its YAML document and refuses, with the line and the reason, anything it does not understand:
/// unknown keys, values of the wrong type, filters on fields the resource type does not have, remediations it does not support.
/// </summary>
public static partial class PolicyYaml
{
    private static readonly string[] TopKeys = ["id", "title", "resource", "severity", "description", "cis", "enabled", "max-resources", "filters", "remediation"];
    private static readonly string[] FilterKinds = ["tag", "field", "age", "missing-tags", "world-open"];
    private static readonly Dictionary<string, FieldOperator> Operators = new(StringComparer.Ordinal)
    {
        ["equals"] = FieldOperator.Equals,
        ["not-equals"] = FieldOperator.NotEquals,
        ["in"] = FieldOperator.In,
        ["greater-than"] = FieldOperator.GreaterThan,
        ["less-than"] = FieldOperator.LessThan,
    };

    public const int MaxLength = 64 * 1024;

    public static PolicyReadResult Read(string? yaml)
    {
        var errors = new List<PolicyError>();
        if (string.IsNullOrWhiteSpace(yaml))
        {
            return Fail(errors, 1, 1, "the document is empty");
        }

        if (yaml.Length > MaxLength)
        {
            return Fail(errors, 1, 1, $"the document is longer than {MaxLength} characters");
        }

        YamlStream stream = [];
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            return Fail(errors, (int)e.Start.Line, (int)e.Start.Column, $"not valid YAML: {Clean(e.Message)}");
        }
        catch (InvalidOperationException)
        {
            // The scanner gives up without a position on some malformed input (an unclosed flow collection): name the last place it read well.
            var (line, column) = LastGoodPosition(yaml);
            return Fail(errors, line, column, "not valid YAML: an unclosed [ ] or { } or a stray character near here");
        }

        if (stream.Documents.Count != 1)
        {
            return Fail(errors, 1, 1, "expected exactly one YAML document");
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return Fail(errors, Line(stream.Documents[0].RootNode), Col(stream.Documents[0].RootNode), "a policy is a mapping of keys (id, title, resource, ...)");
        }

        var map = Keys(root, TopKeys, "policy", errors);
        var id = Text(map, "id", root, errors, required: true);
        if (id is not null && !IdPattern().IsMatch(id))
        {
            Error(errors, map["id"], "id must be 3–64 characters of lower-case letters, digits and dashes, starting with a letter");
        }

        var title = Text(map, "title", root, errors, required: true);
        var description = Text(map, "description", root, errors, required: false) ?? string.Empty;
        var cis = Text(map, "cis", root, errors, required: false);
        var resourceName = Text(map, "resource", root, errors, required: true);
        ResourceType? resource = null;
        if (resourceName is not null)
        {
            if (ResourceTypes.TryParse(resourceName, out var t))
            {
                resource = t;
            }
            else
            {
                Error(errors, map["resource"], $"unknown resource type '{resourceName}'; expected one of {string.Join(", ", ResourceTypes.Names)}");
            }
        }

        var severityName = Text(map, "severity", root, errors, required: true);
        Severity severity = default;
        if (severityName is not null && !Enum.TryParse(severityName, ignoreCase: true, out severity) || (severityName is not null && int.TryParse(severityName, out _)))
        {
            Error(errors, map["severity"], $"unknown severity '{severityName}'; expected low, medium, high or critical");
        }

        var enabled = Bool(map, "enabled", errors) ?? true;
        var maxResources = Int(map, "max-resources", errors, min: 1, max: 10_000) ?? Policy.DefaultMaxResources;

        var filters = new List<PolicyFilter>();
        if (!map.TryGetValue("filters", out var filtersNode))
        {
            Error(errors, root, "missing key 'filters' (a list of conditions, all of which must hold)");
        }
        else if (filtersNode is not YamlSequenceNode seq || seq.Children.Count == 0)
        {
            Error(errors, filtersNode, "'filters' must be a non-empty list");
        }
        else if (resource is { } type)
        {
            foreach (var item in seq.Children)
            {
                if (ReadFilter(item, type, errors) is { } f)
                {
                    filters.Add(f);
                }
            }
        }

        Remediation? remediation = null;
        var remediationName = Text(map, "remediation", root, errors, required: false);
        if (remediationName is not null && resource is { } rt)
        {
            remediation = Remediations.Find(rt, remediationName);
            if (remediation is null)
            {
                var supported = Remediations.For(rt).Select(r => r.Name).ToList();
                Error(errors, map["remediation"], $"remediation '{remediationName}' is not supported for {rt.Name()}"
                    + (supported.Count == 0 ? " (it has none)" : $"; supported: {string.Join(", ", supported)}"));
            }
        }

        if (errors.Count > 0 || id is null || title is null || resource is null)
        {
            return new PolicyReadResult(null, errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList());
        }

        return new PolicyReadResult(
            new Policy(id, title, resource.Value, severity, description, filters)
            {
                Cis = cis,
                Remediation = remediation,
                MaxResources = maxResources,
                Enabled = enabled,
                Source = yaml,
            },
            []);
    }

    private static PolicyFilter? ReadFilter(YamlNode item, ResourceType type, List<PolicyError> errors)
    {
        if (item is not YamlMappingNode m)
        {
            Error(errors, item, $"a filter is a mapping with one of: {string.Join(", ", FilterKinds)}");
            return null;
        }

        var kinds = m.Children.Keys.OfType<YamlScalarNode>().Where(k => FilterKinds.Contains(k.Value)).ToList();
        if (kinds.Count != 1)
        {
            Error(errors, m, kinds.Count == 0
                ? $"unknown filter '{FirstKey(m)}'; expected one of: {string.Join(", ", FilterKinds)}"
                : $"a filter has exactly one of: {string.Join(", ", FilterKinds)}");
            return null;
        }

        var kind = kinds[0].Value!;
        var value = m.Children[kinds[0]];
        switch (kind)
        {
            case "field":
                return ReadField(m, value, type, errors);
            case "tag":
            {
                Keys(m, ["tag"], "filter", errors);
                if (value is not YamlMappingNode tag)
                {
                    Error(errors, value, "'tag' takes a mapping: key, and value or absent");
                    return null;
                }

                var tagMap = Keys(tag, ["key", "value", "absent"], "tag filter", errors);
                var key = Text(tagMap, "key", tag, errors, required: true);
                var tagValue = Text(tagMap, "value", tag, errors, required: false);
                var absent = Bool(tagMap, "absent", errors) ?? false;
                if (absent && tagValue is not null)
                {
                    Error(errors, tag, "a tag filter has either 'value' or 'absent: true', not both");
                }

                return key is null ? null : new TagFilter(key, tagValue, absent);
            }

            case "age":
            {
                Keys(m, ["age"], "filter", errors);
                if (value is not YamlMappingNode age)
                {
                    Error(errors, value, "'age' takes a mapping: field and older-than-days");
                    return null;
                }

                var ageMap = Keys(age, ["field", "older-than-days"], "age filter", errors);
                var field = Text(ageMap, "field", age, errors, required: true);
                var days = Int(ageMap, "older-than-days", errors, min: 0, max: 36_500);
                if (days is null && !ageMap.ContainsKey("older-than-days"))
                {
                    Error(errors, age, "missing key 'older-than-days'");
                }

                if (field is null || days is null || !CheckField(type, field, FieldKind.Time, ageMap["field"], errors))
                {
                    return null;
                }

                return new AgeFilter(field, days.Value);
            }

            case "missing-tags":
            {
                Keys(m, ["missing-tags"], "filter", errors);
                if (value is YamlScalarNode { Value: "required" })
                {
                    return new MissingTagsFilter([], Required: true);
                }

                if (value is YamlSequenceNode keys && keys.Children.Count > 0 && keys.Children.All(k => k is YamlScalarNode { Value.Length: > 0 }))
                {
                    return new MissingTagsFilter(keys.Children.Cast<YamlScalarNode>().Select(k => k.Value!).ToList(), Required: false);
                }

                Error(errors, value, "'missing-tags' takes 'required' (the configured required tags) or a list of tag keys");
                return null;
            }

            default:
            {
                Keys(m, ["world-open"], "filter", errors);
                if (type != ResourceType.SecurityGroup)
                {
                    Error(errors, kinds[0], $"'world-open' applies to security-group, not {type.Name()}");
                    return null;
                }

                if (value is YamlScalarNode { Value: "any" })
                {
                    return new WorldOpenFilter([]);
                }

                if (value is YamlSequenceNode ports && ports.Children.Count > 0)
                {
                    var list = new List<int>();
                    foreach (var p in ports.Children)
                    {
                        if (p is YamlScalarNode s && int.TryParse(s.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535)
                        {
                            list.Add(port);
                        }
                        else
                        {
                            Error(errors, p, "a port is a whole number from 0 to 65535");
                        }
                    }

                    return new WorldOpenFilter(list);
                }

                Error(errors, value, "'world-open' takes 'any' or a list of ports");
                return null;
            }
        }
    }

    private static FieldFilter? ReadField(YamlMappingNode m, YamlNode value, ResourceType type, List<PolicyError> errors)
    {
        var map = Keys(m, ["field", .. Operators.Keys], "field filter", errors);
        if (value is not YamlScalarNode { Value: { Length: > 0 } name })
        {
            Error(errors, value, "'field' takes the name of a field");
            return null;
        }

        var field = ResourceFields.Find(type, name);
        if (field is null)
        {
            Error(errors, value, $"{type.Name()} has no field '{name}'; fields: {string.Join(", ", ResourceFields.For(type).Keys)}");
            return null;
        }

        var ops = map.Keys.Where(Operators.ContainsKey).ToList();
        if (ops.Count != 1)
        {
            Error(errors, m, $"a field filter has exactly one of: {string.Join(", ", Operators.Keys)}");
            return null;
        }

        var op = Operators[ops[0]];
        var operand = map[ops[0]];
        if (field.Kind == FieldKind.Time)
        {
            Error(errors, value, $"'{name}' is a time; compare it with an 'age' filter");
            return null;
        }

        if (op is FieldOperator.GreaterThan or FieldOperator.LessThan && field.Kind != FieldKind.Number)
        {
            Error(errors, operand, $"'{ops[0]}' compares numbers, and '{name}' is {Article(field.Kind)}");
            return null;
        }

        var items = op == FieldOperator.In
            ? operand is YamlSequenceNode list && list.Children.Count > 0 ? list.Children.ToList() : null
            : [operand];
        if (items is null)
        {
            Error(errors, operand, "'in' takes a non-empty list");
            return null;
        }

        var values = new List<object>();
        foreach (var item in items)
        {
            if (Scalar(item, field.Kind) is { } v)
            {
                values.Add(v);
            }
            else
            {
                Error(errors, item, $"'{name}' is {Article(field.Kind)}; this value is not");
            }
        }

        return values.Count == items.Count ? new FieldFilter(name, op, values) : null;
    }

    private static object? Scalar(YamlNode node, FieldKind kind)
    {
        if (node is not YamlScalarNode { Value: { } text } s)
        {
            return null;
        }

        return kind switch
        {
            FieldKind.Bool => s.Style == ScalarStyle.Plain && bool.TryParse(text, out var b) ? b : null,
            FieldKind.Number => s.Style == ScalarStyle.Plain && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null,
            FieldKind.Text => text,
            FieldKind.Time => null,
        };
    }

    private static bool CheckField(ResourceType type, string name, FieldKind kind, YamlNode at, List<PolicyError> errors)
    {
        var field = ResourceFields.Find(type, name);
        if (field is null)
        {
            Error(errors, at, $"{type.Name()} has no field '{name}'; fields: {string.Join(", ", ResourceFields.For(type).Keys)}");
            return false;
        }

        if (field.Kind != kind)
        {
            Error(errors, at, $"'{name}' is {Article(field.Kind)}, not {Article(kind)}");
            return false;
        }

        return true;
    }

    private static Dictionary<string, YamlNode> Keys(YamlMappingNode m, IReadOnlyCollection<string> allowed, string what, List<PolicyError> errors)
    {
        var map = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (k, v) in m.Children)
        {
            if (k is not YamlScalarNode { Value: { } key })
            {
                Error(errors, k, "keys must be plain text");
                continue;
            }

            if (!allowed.Contains(key) && !(what == "filter" && FilterKinds.Contains(key)) && !(what == "field filter" && key == "field"))
            {
                Error(errors, k, $"unknown key '{key}' in {what}; allowed: {string.Join(", ", allowed)}");
                continue;
            }

            if (!map.TryAdd(key, v))
            {
                Error(errors, k, $"key '{key}' appears twice");
            }
        }

        return map;
    }

    private static string? Text(Dictionary<string, YamlNode> map, string key, YamlNode parent, List<PolicyError> errors, bool required)
    {
        if (!map.TryGetValue(key, out var node))
        {
            if (required)
            {
                Error(errors, parent, $"missing key '{key}'");
            }

            return null;
        }

        if (node is YamlScalarNode { Value: { } v } && !string.IsNullOrWhiteSpace(v))
        {
            return v.Trim();
        }

        Error(errors, node, $"'{key}' must be text");
        return null;
    }

    private static bool? Bool(Dictionary<string, YamlNode> map, string key, List<PolicyError> errors)
    {
        if (!map.TryGetValue(key, out var node))
        {
            return null;
        }

        if (Scalar(node, FieldKind.Bool) is bool b)
        {
            return b;
        }

        Error(errors, node, $"'{key}' must be true or false");
        return null;
    }

    private static int? Int(Dictionary<string, YamlNode> map, string key, List<PolicyError> errors, int min, int max)
    {
        if (!map.TryGetValue(key, out var node))
        {
            return null;
        }

        if (Scalar(node, FieldKind.Number) is long n && n >= min && n <= max)
        {
            return (int)n;
        }

        Error(errors, node, $"'{key}' must be a whole number from {min} to {max}");
        return null;
    }

    private static (int Line, int Column) LastGoodPosition(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        Mark last = Mark.Empty;
        try
        {
            while (parser.MoveNext())
            {
                last = parser.Current!.End;
            }
        }
        catch (InvalidOperationException)
        {
        }
        catch (YamlException)
        {
        }

        return ((int)last.Line, (int)last.Column);
    }

    private static string FirstKey(YamlMappingNode m) => m.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault()?.Value ?? "?";

    private static string Article(FieldKind kind) => kind switch
    {
        FieldKind.Bool => "true/false",
        FieldKind.Number => "a number",
        FieldKind.Text => "text",
        FieldKind.Time => "a time",
    };

    private static void Error(List<PolicyError> errors, YamlNode node, string message) => errors.Add(new PolicyError(Line(node), Col(node), message));

    private static PolicyReadResult Fail(List<PolicyError> errors, int line, int column, string message)
    {
        errors.Add(new PolicyError(Math.Max(1, line), Math.Max(1, column), message));
        return new PolicyReadResult(null, errors);
    }

    private static int Line(YamlNode node) => (int)Math.Max(1, node.Start.Line);

    private static int Col(YamlNode node) => (int)Math.Max(1, node.Start.Column);

    private static string Clean(string message)
    {
        var at = message.IndexOf("): ", StringComparison.Ordinal);
        return at >= 0 ? message[(at + 3)..] : message;
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{2,63}$")]
    private static partial Regex IdPattern();
}
