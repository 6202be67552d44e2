using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;

namespace PortalOps.Jobs.Tests.Aws.Protocol;

/// <summary>Checks requests against a botocore service model and builds responses shaped like it.</summary>
public sealed class ModelContract(JsonObject model)
{
    private JsonObject Shapes => model["shapes"]!.AsObject();

    private JsonObject Operations => model["operations"]!.AsObject();

    public string ApiVersion => model["metadata"]!["apiVersion"]!.GetValue<string>();

    public string? XmlNamespace => model["metadata"]!["xmlNamespace"]?.GetValue<string>();

    public string? TargetPrefix => model["metadata"]!["targetPrefix"]?.GetValue<string>();

    public bool HasOperation(string name) => Operations.ContainsKey(name);

    private bool IsEc2 => model["metadata"]!["protocol"]!.GetValue<string>() == "ec2";

    /// <summary>The name a member goes by in a request: EC2 uses queryName or the capitalised locationName.</summary>
    private string RequestName(string member, JsonNode m)
    {
        if (IsEc2)
        {
            if (m["queryName"]?.GetValue<string>() is { } q)
            {
                return q;
            }

            var location = m["locationName"]?.GetValue<string>();
            return location is { Length: > 0 } ? char.ToUpperInvariant(location[0]) + location[1..] : member;
        }

        return m["locationName"]?.GetValue<string>() ?? member;
    }

    /// <summary>Problems with a Query request: unknown action, wrong version, parameter paths the input shape lacks, required members missing.</summary>
    public List<string> CheckQuery(string formBody)
    {
        var problems = new List<string>();
        var pairs = HttpUtility.ParseQueryString(formBody);
        var action = pairs["Action"];
        if (action is null || !HasOperation(action))
        {
            problems.Add($"unknown Action '{action}'");
            return problems;
        }

        if (pairs["Version"] != ApiVersion)
        {
            problems.Add($"{action}: Version {pairs["Version"]} is not {ApiVersion}");
        }

        var input = Operations[action]!["input"]?["shape"]?.GetValue<string>();
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in pairs.AllKeys.Where(k => k is not "Action" and not "Version"))
        {
            if (input is null)
            {
                problems.Add($"{action}: takes no parameters but got {key}");
                continue;
            }

            var error = WalkQuery(input, key!.Split('.'), 0);
            if (error is not null)
            {
                problems.Add($"{action}: {key}: {error}");
            }

            present.Add(key.Split('.')[0]);
        }

        if (input is not null)
        {
            foreach (var required in Required(input).Where(r => !present.Contains(r)))
            {
                problems.Add($"{action}: required {required} missing");
            }
        }

        return problems;
    }

    /// <summary>Problems with a JSON 1.1 request body against the operation's input shape.</summary>
    public List<string> CheckJson(string operation, string body)
    {
        var problems = new List<string>();
        if (!HasOperation(operation))
        {
            problems.Add($"unknown operation '{operation}'");
            return problems;
        }

        var input = Operations[operation]!["input"]!["shape"]!.GetValue<string>();
        WalkJson(input, JsonNode.Parse(body), operation, problems);
        foreach (var required in Required(input).Where(r => JsonNode.Parse(body)![r] is null))
        {
            problems.Add($"{operation}: required {required} missing");
        }

        return problems;
    }

    /// <summary>An XML answer for a Query operation with every output member filled in.</summary>
    public string QueryResponse(string operation)
    {
        var output = Operations[operation]!["output"];
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<{operation}Response xmlns=\"{XmlNamespace}\">");
        if (output?["shape"]?.GetValue<string>() is { } ec2Shape && IsEc2)
        {
            XmlMembers(ec2Shape, sb, []);
        }
        else if (output?["shape"]?.GetValue<string>() is { } shape)
        {
            var wrapper = output["resultWrapper"]?.GetValue<string>() ?? operation + "Result";
            sb.Append(CultureInfo.InvariantCulture, $"<{wrapper}>");
            XmlMembers(shape, sb, []);
            sb.Append(CultureInfo.InvariantCulture, $"</{wrapper}>");
        }

        sb.Append(CultureInfo.InvariantCulture, $"<ResponseMetadata><RequestId>req-{operation}</RequestId></ResponseMetadata></{operation}Response>");
        return sb.ToString();
    }

    /// <summary>A JSON answer with every output member filled in.</summary>
    public string JsonResponse(string operation)
    {
        var shape = Operations[operation]!["output"]?["shape"]?.GetValue<string>();
        return shape is null ? "{}" : JsonValue(shape, "", [])!.ToJsonString();
    }

    private IEnumerable<string> Required(string shape) =>
        Shapes[shape]!["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [];

    private string? WalkQuery(string shapeName, string[] parts, int i)
    {
        var shape = Shapes[shapeName]!.AsObject();
        var type = shape["type"]!.GetValue<string>();
        if (i == parts.Length)
        {
            return type is "structure" or "list" or "map" ? $"ends at a {type} ({shapeName})" : null;
        }

        switch (type)
        {
            case "structure":
                var members = shape["members"]!.AsObject();
                var match = members.FirstOrDefault(m => RequestName(m.Key, m.Value!) == parts[i]);
                return match.Key is null ? $"'{parts[i]}' is not a member of {shapeName}" : WalkQuery(match.Value!["shape"]!.GetValue<string>(), parts, i + 1);
            case "list":
                var flattened = IsEc2 || (shape["flattened"]?.GetValue<bool>() ?? false);
                var itemName = shape["member"]!["locationName"]?.GetValue<string>() ?? "member";
                if (!flattened)
                {
                    if (parts[i] != itemName)
                    {
                        return $"list {shapeName} expects '{itemName}', got '{parts[i]}'";
                    }

                    i++;
                }

                if (i >= parts.Length || !int.TryParse(parts[i], out var n) || n < 1)
                {
                    return $"list {shapeName} needs a 1-based index";
                }

                var max = shape["max"]?.GetValue<int>();
                if (max is not null && n > max)
                {
                    return $"index {n} exceeds {shapeName} max {max}";
                }

                return WalkQuery(shape["member"]!["shape"]!.GetValue<string>(), parts, i + 1);
            default:
                return $"'{string.Join('.', parts[i..])}' under scalar {shapeName}";
        }
    }

    private void WalkJson(string shapeName, JsonNode? node, string path, List<string> problems)
    {
        var shape = Shapes[shapeName]!.AsObject();
        switch (shape["type"]!.GetValue<string>())
        {
            case "structure":
                if (node is not JsonObject o)
                {
                    problems.Add($"{path}: expected an object for {shapeName}");
                    return;
                }

                var members = shape["members"]!.AsObject();
                foreach (var (key, value) in o)
                {
                    if (members[key] is not { } m)
                    {
                        problems.Add($"{path}.{key}: not a member of {shapeName}");
                        continue;
                    }

                    WalkJson(m["shape"]!.GetValue<string>(), value, $"{path}.{key}", problems);
                }

                break;
            case "list":
                if (node is not JsonArray a)
                {
                    problems.Add($"{path}: expected an array for {shapeName}");
                    return;
                }

                foreach (var item in a)
                {
                    WalkJson(shape["member"]!["shape"]!.GetValue<string>(), item, path + "[]", problems);
                }

                break;
            case "map":
                if (node is JsonObject map)
                {
                    foreach (var (_, v) in map)
                    {
                        WalkJson(shape["value"]!["shape"]!.GetValue<string>(), v, path + "{}", problems);
                    }
                }

                break;
            case "string":
                if (shape["enum"] is JsonArray values && node?.GetValue<string>() is { } s && values.All(v => v!.GetValue<string>() != s))
                {
                    problems.Add($"{path}: '{s}' is not one of {shapeName}'s values");
                }

                break;
            default:
                break;
        }
    }

    private void XmlMembers(string shapeName, StringBuilder sb, List<string> stack)
    {
        if (stack.Count(s => s == shapeName) > 0 || stack.Count > 8)
        {
            return;
        }

        stack.Add(shapeName);
        foreach (var (name, m) in Shapes[shapeName]!["members"]!.AsObject())
        {
            var element = m!["locationName"]?.GetValue<string>() ?? name;
            sb.Append(CultureInfo.InvariantCulture, $"<{element}>");
            XmlValue(m["shape"]!.GetValue<string>(), name, sb, stack);
            sb.Append(CultureInfo.InvariantCulture, $"</{element}>");
        }

        stack.RemoveAt(stack.Count - 1);
    }

    private void XmlValue(string shapeName, string memberName, StringBuilder sb, List<string> stack)
    {
        var shape = Shapes[shapeName]!.AsObject();
        switch (shape["type"]!.GetValue<string>())
        {
            case "structure":
                XmlMembers(shapeName, sb, stack);
                break;
            case "list":
                var item = shape["member"]!["locationName"]?.GetValue<string>() ?? "member";
                for (var i = 0; i < 2; i++)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<{item}>");
                    XmlValue(shape["member"]!["shape"]!.GetValue<string>(), memberName, sb, stack);
                    sb.Append(CultureInfo.InvariantCulture, $"</{item}>");
                }

                break;
            case "map":
                sb.Append("<entry><key>k</key><value>");
                XmlValue(shape["value"]!["shape"]!.GetValue<string>(), memberName, sb, stack);
                sb.Append("</value></entry>");
                break;
            default:
                sb.Append(System.Security.SecurityElement.Escape(Scalar(shape, memberName)));
                break;
        }
    }

    private JsonNode? JsonValue(string shapeName, string memberName, List<string> stack)
    {
        var shape = Shapes[shapeName]!.AsObject();
        switch (shape["type"]!.GetValue<string>())
        {
            case "structure":
                if (stack.Contains(shapeName) || stack.Count > 8)
                {
                    return null;
                }

                stack.Add(shapeName);
                var o = new JsonObject();
                foreach (var (name, m) in shape["members"]!.AsObject())
                {
                    o[name] = JsonValue(m!["shape"]!.GetValue<string>(), name, stack);
                }

                stack.RemoveAt(stack.Count - 1);
                return o;
            case "list":
                return new JsonArray(JsonValue(shape["member"]!["shape"]!.GetValue<string>(), memberName, stack), JsonValue(shape["member"]!["shape"]!.GetValue<string>(), memberName, stack));
            case "map":
                return new JsonObject { ["UnblendedCost"] = JsonValue(shape["value"]!["shape"]!.GetValue<string>(), memberName, stack) };
            case "boolean":
                return true;
            case "integer" or "long":
                return 2;
            case "double" or "float":
                return 1.5;
            case "timestamp":
                return 1_704_067_200;
            default:
                return Scalar(shape, memberName);
        }
    }

    private static string Scalar(JsonObject shape, string memberName) => shape["type"]!.GetValue<string>() switch
    {
        "boolean" => "true",
        "integer" or "long" => "2",
        "double" or "float" => "1.5",
        "timestamp" => "2024-01-02T03:04:05Z",
        "blob" => "AAAA",
        _ when shape["enum"] is JsonArray e => e[0]!.GetValue<string>(),
        _ when memberName is "Start" or "End" => "2024-01-01",
        _ => "12.5",
    };
}
