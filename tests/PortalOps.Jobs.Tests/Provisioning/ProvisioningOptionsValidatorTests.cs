using PortalOps.Jobs.Provisioning;

namespace PortalOps.Jobs.Tests.Provisioning;

public sealed class ProvisioningOptionsValidatorTests
{
    [Fact]
    public void Validate_GoodKeys_Succeeds()
    {
        var result = new ProvisioningOptionsValidator().Validate(null, new ProvisioningOptions { RequiredTags = ["team", "env", "cost-center"] });
        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Validate_ReservedEmptyAndRepeatedKeys_NameTheKeyToFix()
    {
        var result = new ProvisioningOptionsValidator().Validate(null, new ProvisioningOptions { RequiredTags = ["team", "aws:owner", " ", "team"] });

        Assert.True(result.Failed);
        Assert.Equal(
            [
                "Provisioning:RequiredTags:1 is not a tag key ('aws:owner'): Tag keys starting with aws: are reserved for AWS.",
                "Provisioning:RequiredTags:2 is not a tag key (' '): A tag needs a key.",
                "Provisioning:RequiredTags:3 repeats 'team'.",
            ],
            result.Failures);
    }
}
