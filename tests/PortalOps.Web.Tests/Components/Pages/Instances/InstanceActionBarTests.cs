using PortalOps.Domain.Instances;
using PortalOps.Web.Components.Pages.Instances;
using PortalOps.Web.Tests.Fakes;

namespace PortalOps.Web.Tests.Components.Pages.Instances;

public sealed class InstanceActionBarTests
{
    [Fact]
    public void BlastRadius_TwoAccountsAndRegions_NamesCountAccountsRegionsAndInstances()
    {
        Instance[] targets =
        [
            TestData.Instance(1, region: TestData.EuWest),
            TestData.Instance(2, region: TestData.EuWest),
            TestData.Instance(3, region: TestData.UsEast),
            TestData.Instance(4, account: TestData.OtherAccount, region: TestData.UsEast, name: string.Empty),
        ];

        var text = InstanceActionBar.BlastRadius(InstanceAction.Stop, targets);

        Assert.StartsWith("Stop 4 instance(s)", text, StringComparison.Ordinal);
        Assert.Contains($"account {TestData.SandboxAccount}: eu-west-1 (2), us-east-1 (1)", text, StringComparison.Ordinal);
        Assert.Contains($"account {TestData.OtherAccount}: us-east-1 (1)", text, StringComparison.Ordinal);
        Assert.Contains("web-01, web-02, web-03", text, StringComparison.Ordinal);
        Assert.Contains(targets[3].InstanceId, text, StringComparison.Ordinal);
    }

    [Fact]
    public void BlastRadius_MoreThanFiveTargets_ListsFiveNamesAndAnEllipsis()
    {
        var text = InstanceActionBar.BlastRadius(InstanceAction.Reboot, TestData.Fleet(7));

        Assert.StartsWith("Reboot 7 instance(s)", text, StringComparison.Ordinal);
        Assert.Contains("web-05, …", text, StringComparison.Ordinal);
        Assert.DoesNotContain("web-06", text, StringComparison.Ordinal);
    }

    [Fact]
    public void BlastRadius_WithAccountNames_NamesAccountsAsPeopleCallThem()
    {
        var text = InstanceActionBar.BlastRadius(InstanceAction.Stop, TestData.Fleet(2), id => id == TestData.SandboxAccount ? "Sandbox" : id);

        Assert.Contains("account Sandbox: eu-west-1 (2)", text, StringComparison.Ordinal);
        Assert.DoesNotContain($"account {TestData.SandboxAccount}", text, StringComparison.Ordinal);
    }
}
