using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Tests.Costs;

public sealed class ResizeCheckTests
{
    private static readonly CloudScope Scope = new(Make.ProdAccount, "eu-west-1");
    private static readonly Instance Web = Make.Instance("i-1", type: "m5.xlarge", name: "web-01") with { ImageId = "ami-0abc" };

    private static InstanceTypeOffering Offered(string type, string zone = "eu-west-1a") => new(Scope, type, zone);

    [Fact]
    public void Refusal_SameArchitectureOfferedInTheZone_IsAllowed() =>
        Assert.Null(ResizeCheck.Refusal(Web, "m5.large", [Offered("m5.large"), Offered("m5.xlarge")]));

    [Fact]
    public void Refusal_ArmTypeForAnX86Image_SaysWhy() =>
        Assert.Equal("m7g.large is arm64 but web-01 runs an x86_64 image (ami-0abc); choose an x86_64 type.", ResizeCheck.Refusal(Web, "m7g.large", [Offered("m7g.large")]));

    [Fact]
    public void Refusal_TypeOfferedOnlyInAnotherZone_IsRefused() =>
        Assert.Equal("m5.large is not offered in eu-west-1a.", ResizeCheck.Refusal(Web, "m5.large", [Offered("m5.large", "eu-west-1b")]));

    [Fact]
    public void Refusal_ParavirtualFamily_IsRefused() =>
        Assert.Contains("paravirtual", ResizeCheck.Refusal(Web, "m1.large", [Offered("m1.large")]), StringComparison.Ordinal);

    [Theory]
    [InlineData(null, "Name the instance type")]
    [InlineData("", "Name the instance type")]
    [InlineData("large", "Name the instance type")]
    [InlineData("m5.xlarge", "already m5.xlarge")]
    [InlineData("m5.huge", "not an instance type PortalOps knows")]
    public void Refusal_BadInput_SaysWhat(string? type, string expected) =>
        Assert.Contains(expected, ResizeCheck.Refusal(Web, type, []), StringComparison.Ordinal);
}
