using System.Text.Json;
using System.Text.Json.Nodes;
using PortalOps.Domain.Compliance;

namespace PortalOps.Jobs.Compliance;

/// <summary>
/// The JSON Schema (draft 2020-12) of a policy document, made from the same catalog of resource types, fields and remediations
/// the reader checks against, so the two cannot drift. Editors that read a schema (for instance VS Code's YAML extension with
/// <c># yaml-language-server: $schema=…</c>) then complete keys, field names and remediations and flag mistakes as they are typed.
/// The reader (<see cref="PolicyYaml"/>) stays the authority: it also checks what a schema cannot say well, such as a time
/// field under <c>age</c> only, and gives every error with its line.
/// </summary>
public static class PolicySchema
{
    public const string FileName = "portalops-policy.schema.json";

    private static readonly Lazy<string> Text = new(() => Build().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>The schema as indented JSON text.</summary>
    public static string Json => Text.Value;

    public static JsonObject Build()
    {
        var types = Enum.GetValues<ResourceType>();
        var perType = new JsonArray();
        foreach (var type in types)
        {
            var fields = ResourceFields.For(type).Values.ToList();
            var remediations = Remediations.For(type).Select(r => r.Name).Distinct().ToList();
            var fieldNames = new JsonArray([.. fields.Select(f => JsonValue.Create(f.Name))]);
            var timeFields = new JsonArray([.. fields.Where(f => f.Kind == FieldKind.Time).Select(f => JsonValue.Create(f.Name))]);
            perType.Add(new JsonObject
            {
                ["if"] = new JsonObject { ["properties"] = new JsonObject { ["resource"] = new JsonObject { ["const"] = type.Name() } }, ["required"] = new JsonArray("resource") },
                ["then"] = new JsonObject
                {
                    ["properties"] = new JsonObject
                    {
                        ["remediation"] = remediations.Count == 0
                            ? new JsonObject { ["not"] = new JsonObject(), ["description"] = $"{type.Name()} has no remediation" }
                            : new JsonObject { ["enum"] = new JsonArray([.. remediations.Select(r => JsonValue.Create(r))]) },
                        ["filters"] = new JsonObject
                        {
                            ["items"] = new JsonObject
                            {
                                ["properties"] = new JsonObject
                                {
                                    ["field"] = new JsonObject
                                    {
                                        ["enum"] = fieldNames,
                                        ["description"] = string.Join("; ", fields.Select(f => $"{f.Name} ({f.Kind.ToString().ToLowerInvariant()}): {f.Description}")),
                                    },
                                    ["age"] = new JsonObject { ["properties"] = new JsonObject { ["field"] = new JsonObject { ["enum"] = timeFields } } },
                                },
                            },
                        },
                    },
                },
            });
        }

        static JsonObject Str(string description) => new() { ["type"] = "string", ["description"] = description };
        static JsonObject Closed(JsonObject properties, params string[] required) => new()
        {
            ["type"] = "object",
            ["additionalProperties"] = false,
            ["required"] = new JsonArray([.. required.Select(r => JsonValue.Create(r))]),
            ["properties"] = properties,
        };

        var scalar = new JsonObject { ["type"] = new JsonArray("string", "number", "boolean") };
        var filters = new JsonArray
        {
            Closed(new JsonObject
            {
                ["tag"] = Closed(new JsonObject
                {
                    ["key"] = Str("the tag key"),
                    ["value"] = new JsonObject { ["type"] = new JsonArray("string", "number", "boolean"), ["description"] = "the value it must have (any value when left out)" },
                    ["absent"] = new JsonObject { ["type"] = "boolean", ["description"] = "true: the tag must be missing" },
                }, "key"),
            }, "tag"),
            new JsonObject
            {
                ["type"] = "object",
                ["additionalProperties"] = false,
                ["required"] = new JsonArray("field"),
                ["minProperties"] = 2,
                ["maxProperties"] = 2,
                ["properties"] = new JsonObject
                {
                    ["field"] = Str("a field of the resource type"),
                    ["equals"] = scalar.DeepClone(),
                    ["not-equals"] = scalar.DeepClone(),
                    ["in"] = new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = scalar.DeepClone() },
                    ["greater-than"] = new JsonObject { ["type"] = "number" },
                    ["less-than"] = new JsonObject { ["type"] = "number" },
                },
            },
            Closed(new JsonObject
            {
                ["age"] = Closed(new JsonObject
                {
                    ["field"] = Str("a time field of the resource type"),
                    ["older-than-days"] = new JsonObject { ["type"] = "integer", ["minimum"] = 0, ["maximum"] = 36_500 },
                }, "field", "older-than-days"),
            }, "age"),
            Closed(new JsonObject
            {
                ["missing-tags"] = new JsonObject
                {
                    ["description"] = "tag keys that must be present, or 'required' for Provisioning:RequiredTags",
                    ["oneOf"] = new JsonArray(
                        new JsonObject { ["const"] = "required" },
                        new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = new JsonObject { ["type"] = "string" } }),
                },
            }, "missing-tags"),
            Closed(new JsonObject
            {
                ["world-open"] = new JsonObject
                {
                    ["description"] = "security groups: a rule lets 0.0.0.0/0 or ::/0 reach one of these ports, or 'any' port",
                    ["oneOf"] = new JsonArray(
                        new JsonObject { ["const"] = "any" },
                        new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = new JsonObject { ["type"] = "integer", ["minimum"] = 0, ["maximum"] = 65_535 } }),
                },
            }, "world-open"),
        };

        return new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "urn:portalops:compliance-policy",
            ["title"] = "PortalOps compliance policy",
            ["description"] = "A compliance policy as YAML: what to check on one resource type, how bad a match is, and how to fix it.",
            ["type"] = "object",
            ["additionalProperties"] = false,
            ["required"] = new JsonArray("id", "title", "resource", "severity", "filters"),
            ["properties"] = new JsonObject
            {
                ["id"] = new JsonObject { ["type"] = "string", ["pattern"] = "^[a-z][a-z0-9-]{2,63}$", ["description"] = "3–64 of a-z, 0-9 and -, starting with a letter" },
                ["title"] = new JsonObject { ["type"] = "string", ["minLength"] = 1 },
                ["resource"] = new JsonObject { ["enum"] = new JsonArray([.. types.Select(t => JsonValue.Create(t.Name()))]) },
                ["severity"] = new JsonObject { ["enum"] = new JsonArray("low", "medium", "high", "critical") },
                ["cis"] = new JsonObject { ["type"] = new JsonArray("string", "number"), ["description"] = "the CIS AWS Foundations control it serves" },
                ["description"] = Str("what the finding means and how to fix it"),
                ["enabled"] = new JsonObject { ["type"] = "boolean", ["default"] = true },
                ["max-resources"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 10_000, ["default"] = Policy.DefaultMaxResources, ["description"] = "a remediation matching more is refused" },
                ["filters"] = new JsonObject { ["type"] = "array", ["minItems"] = 1, ["description"] = "all must hold", ["items"] = new JsonObject { ["oneOf"] = filters } },
                ["remediation"] = Str("a remediation the resource type supports"),
            },
            ["allOf"] = perType,
        };
    }
}
