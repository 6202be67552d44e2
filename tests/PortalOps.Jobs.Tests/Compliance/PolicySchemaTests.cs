using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using PortalOps.Domain.Compliance;
using PortalOps.Jobs.Compliance;
using YamlDotNet.RepresentationModel;

namespace PortalOps.Jobs.Tests.Compliance;

/// <summary>
/// The policy JSON Schema, checked by an independent validator (JsonSchema.Net): every built-in policy conforms, and the
/// mistakes the reader refuses — unknown key, wrong type, a field the type lacks, a remediation it does not support — fail it too.
/// </summary>
public sealed class PolicySchemaTests
{
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(PolicySchema.Json));

    private static bool Conforms(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var json = ToJson(stream.Documents[0].RootNode);
        return Schema.Value.Evaluate(JsonDocument.Parse(json!.ToJsonString()).RootElement).IsValid;
    }

    /// <summary>YAML to JSON as a YAML 1.2 core schema reader would: plain scalars that read as booleans or numbers are those.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode s => new JsonArray([.. s.Children.Select(ToJson)]),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } p when p.Value is "true" or "false" => JsonValue.Create(p.Value == "true"),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } p when long.TryParse(p.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } p when double.TryParse(p.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
        YamlScalarNode p => JsonValue.Create(p.Value),
        _ => null,
    };

    [Fact]
    public void BuiltInPack_EveryPolicyConformsToTheSchema()
    {
        Assert.NotEmpty(BuiltInPolicies.Documents);
        Assert.All(BuiltInPolicies.Documents, d => Assert.True(Conforms(d), d));
    }

    [Fact]
    public void Schema_NamesEveryFieldAndRemediationTheReaderKnows()
    {
        var json = PolicySchema.Json;
        foreach (var type in Enum.GetValues<ResourceType>())
        {
            Assert.Contains($"\"{type.Name()}\"", json, StringComparison.Ordinal);
            Assert.All(ResourceFields.For(type).Keys, f => Assert.Contains($"\"{f}\"", json, StringComparison.Ordinal));
        }

        Assert.All(Remediations.All, r => Assert.Contains($"\"{r.Name}\"", json, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("id: p-one\ntitle: T\nresource: volume\nseverity: low\ncolour: red\nfilters:\n  - field: encrypted\n    equals: false\n", "unknown key")]
    [InlineData("id: p-one\ntitle: T\nresource: volume\nseverity: low\nmax-resources: many\nfilters:\n  - field: encrypted\n    equals: false\n", "wrong type")]
    [InlineData("id: p-one\ntitle: T\nresource: volume\nseverity: low\nfilters:\n  - field: imds-v2-required\n    equals: false\n", "field the type lacks")]
    [InlineData("id: p-one\ntitle: T\nresource: volume\nseverity: low\nfilters:\n  - field: encrypted\n    equals: false\nremediation: require-imdsv2\n", "remediation the type lacks")]
    [InlineData("id: p-one\ntitle: T\nresource: volume\nseverity: low\nfilters:\n  - age: {field: size-gib, older-than-days: 3}\n", "age of a field that is not a time")]
    [InlineData("id: p-one\ntitle: T\nresource: volume\nseverity: urgent\nfilters:\n  - field: encrypted\n    equals: false\n", "unknown severity")]
    [InlineData("id: p-one\ntitle: T\nresource: volume\nseverity: low\nfilters: []\n", "no filter")]
    public void Mistake_RefusedByTheReader_FailsTheSchemaToo(string yaml, string what)
    {
        Assert.False(PolicyYaml.Read(yaml).Succeeded, what);
        Assert.False(Conforms(yaml), what);
    }

    [Fact]
    public void GoodCustomPolicy_Conforms()
    {
        const string yaml = "id: prod-old-unencrypted\ntitle: Old prod volumes\nresource: volume\nseverity: high\ncis: \"2.2.1\"\nmax-resources: 5\nfilters:\n  - tag: {key: env, value: prod}\n  - field: encrypted\n    equals: false\n  - age: {field: create-time, older-than-days: 30}\n  - missing-tags: [Owner]\nremediation: add-missing-tags\n";
        Assert.True(PolicyYaml.Read(yaml).Succeeded);
        Assert.True(Conforms(yaml));
    }
}
