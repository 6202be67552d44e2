using PortalOps.Domain.Compliance;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Tests.Compliance;

/// <summary>Builds compliance resources and small policies for the pure tests.</summary>
internal static class Resources
{
    public static readonly CloudScope East = new("111111111111", "us-east-1");
    public static readonly CloudScope West = new("111111111111", "eu-west-1");

    public static ComplianceResource Volume(string id, bool encrypted, CloudScope? scope = null, Dictionary<string, string>? tags = null) =>
        new(ResourceType.Volume, scope ?? East, id, id, tags ?? [], new Dictionary<string, object>
        {
            [ResourceFields.Encrypted] = encrypted,
            [ResourceFields.Attached] = true,
            [ResourceFields.State] = "in-use",
            [ResourceFields.SizeGiB] = 8L,
        });

    public static ComplianceResource Instance(string id, DateTimeOffset launched, bool imdsV2 = true, Dictionary<string, string>? tags = null, CloudScope? scope = null) =>
        new(ResourceType.Instance, scope ?? East, id, id, tags ?? [], new Dictionary<string, object>
        {
            [ResourceFields.State] = "running",
            [ResourceFields.LaunchTime] = launched,
            [ResourceFields.ImdsV2Required] = imdsV2,
        });

    public static ComplianceResource Group(string id, params SecurityRule[] rules) =>
        new(ResourceType.SecurityGroup, East, id, id, new Dictionary<string, string>(), new Dictionary<string, object>()) { Inbound = rules };

    public static Policy Unencrypted { get; } = new("volume-unencrypted", "Unencrypted", ResourceType.Volume, Severity.Medium, "",
        [new FieldFilter(ResourceFields.Encrypted, FieldOperator.Equals, [false])]);

    public static Policy ImdsV1 { get; } = new("instance-imdsv1", "IMDSv1", ResourceType.Instance, Severity.High, "",
        [new FieldFilter(ResourceFields.ImdsV2Required, FieldOperator.Equals, [false])]);

    public static EvaluationContext Context(DateTimeOffset now, params string[] required) => new(now, required);
}
