using PortalOps.Domain.Compliance;
using PortalOps.Jobs.Compliance;

namespace PortalOps.Jobs.Tests.Compliance;

public sealed class PolicyYamlTests
{
    private const string Good = """
        id: prod-old-unencrypted
        title: Old prod volumes without encryption
        resource: volume
        severity: high
        cis: "2.2.1"
        max-resources: 5
        description: Encrypt it.
        filters:
          - tag:
              key: env
              value: prod
          - field: encrypted
            equals: false
          - field: volume-type
            in: [gp2, gp3]
          - field: size-gib
            greater-than: 100
          - age:
              field: create-time
              older-than-days: 30
          - missing-tags: [Owner]
        remediation: add-missing-tags
        """;

    [Fact]
    public void Read_GoodDocument_BuildsThePolicy()
    {
        var result = PolicyYaml.Read(Good);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        var p = result.Policy!;
        Assert.Equal(("prod-old-unencrypted", ResourceType.Volume, Severity.High, "2.2.1", 5), (p.Id, p.Resource, p.Severity, p.Cis, p.MaxResources));
        Assert.Equal(Remediations.AddMissingVolumeTags, p.Remediation);
        Assert.Equal(6, p.Filters.Count);
        Assert.Equal(new FieldFilter("size-gib", FieldOperator.GreaterThan, [100L]).Field, ((FieldFilter)p.Filters[3]).Field);
        Assert.Equal(Good, p.Source);
    }

    [Theory]
    [InlineData("id: abc\ntitle: T\nresource: volume\nseverity: low\ncolour: red\nfilters:\n  - field: encrypted\n    equals: false\n", 5, "unknown key 'colour' in policy")]
    [InlineData("id: abc\ntitle: T\nresource: volume\nseverity: low\nfilters:\n  - field: encrypted\n    equals: maybe\n", 7, "'encrypted' is true/false; this value is not")]
    [InlineData("id: abc\ntitle: T\nresource: volume\nseverity: low\nfilters:\n  - field: colour\n    equals: red\n", 6, "volume has no field 'colour'")]
    [InlineData("id: abc\ntitle: T\nresource: volume\nseverity: low\nfilters:\n  - field: encrypted\n    equals: false\nremediation: require-imdsv2\n", 8, "remediation 'require-imdsv2' is not supported for volume; supported: add-missing-tags, snapshot-and-delete")]
    [InlineData("id: abc\ntitle: T\nresource: volume\nseverity: low\nmax-resources: many\nfilters:\n  - field: encrypted\n    equals: false\n", 5, "'max-resources' must be a whole number from 1 to 10000")]
    [InlineData("id: abc\ntitle: T\nresource: bucket\nseverity: low\nfilters:\n  - field: encrypted\n    equals: false\n", 3, "unknown resource type 'bucket'")]
    [InlineData("id: abc\ntitle: T\nresource: instance\nseverity: low\nfilters:\n  - world-open: [22]\n", 6, "'world-open' applies to security-group, not instance")]
    [InlineData("id: abc\ntitle: T\nresource: instance\nseverity: low\nfilters:\n  - age:\n      field: state\n      older-than-days: 3\n", 7, "'state' is text, not a time")]
    [InlineData("id: abc\ntitle: T\nresource: volume\nseverity: urgent\nfilters:\n  - field: encrypted\n    equals: false\n", 4, "unknown severity 'urgent'")]
    [InlineData("id: abc\ntitle: T\nresource: volume\nseverity: low\nfilters:\n  - field: encrypted\n    equals: false\n    colour: red\n", 8, "unknown key 'colour' in field filter")]
    [InlineData("id: abc\ntitle: T\nresource: volume\nseverity: low\nfilters:\n  - field: state\n    greater-than: 3\n", 7, "'greater-than' compares numbers, and 'state' is text")]
    [InlineData("id: abc\ntitle: [T\nresource: volume\n", 2, "not valid YAML")]
    public void Read_BadDocument_IsRefusedWithLineAndReason(string yaml, int line, string reason)
    {
        var result = PolicyYaml.Read(yaml);

        Assert.Null(result.Policy);
        Assert.Contains(result.Errors, e => e.Line == line && e.Message.StartsWith(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_SeveralMistakes_ReportsEachInLineOrder()
    {
        var result = PolicyYaml.Read("id: A\ntitle: T\nresource: volume\nseverity: low\nfilters:\n  - field: nope\n    equals: 1\n  - missing: x\n");

        Assert.Equal([1, 6, 8], result.Errors.Select(e => e.Line));
        Assert.Equal("line 8: unknown filter 'missing'; expected one of: tag, field, age, missing-tags, world-open", result.Errors[2].ToString());
    }

    [Fact]
    public void Read_Empty_IsRefused()
    {
        Assert.Equal("line 1: the document is empty", Assert.Single(PolicyYaml.Read(" ").Errors).ToString());
    }

    [Fact]
    public void BuiltInPack_EveryPolicyReadsAndTheSecurityOnesNameTheirCisControl()
    {
        var pack = BuiltInPolicies.All;

        Assert.Equal(15, pack.Count);
        Assert.Equal(pack.Count, pack.Select(p => p.Id).Distinct().Count());
        Assert.All(pack, p => Assert.True(p.Enabled));
        Assert.Equal("5.2, 5.3", pack.Single(p => p.Id == "sg-ssh-open-to-world").Cis);
        Assert.Equal("5.6", pack.Single(p => p.Id == "instance-imdsv1-allowed").Cis);
        Assert.Equal("2.2.1", pack.Single(p => p.Id == "region-ebs-default-encryption-off").Cis);
        Assert.All(pack.Where(p => p.Remediation is not null), p => Assert.Equal(p.Resource, p.Remediation!.Type));
    }
}
