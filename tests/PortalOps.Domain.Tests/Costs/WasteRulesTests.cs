using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Tests.Costs;

public sealed class WasteRulesTests
{
    private static readonly CloudScope Scope = new(Make.ProdAccount, "us-east-1");
    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

    private static VolumeInfo Volume(string id, string type, int size, string? attachedTo, string? name = null) =>
        new(Scope, id, size, type, attachedTo is null ? "available" : "in-use", true, "us-east-1a", attachedTo, name is null ? NoTags : Make.Tags($"Name={name}"));

    [Fact]
    public void Volumes_Unattached_IsDeleteWithItsMonthlyPrice()
    {
        var r = Assert.Single(WasteRules.Volumes([Volume("vol-1", "gp3", 100, null)]));

        Assert.Equal(RecommendationKind.DeleteVolume, r.Kind);
        Assert.Equal(8.00m, r.MonthlySaving);
        Assert.Equal(Confidence.High, r.Confidence);
        Assert.Equal(Domain.Actions.ActionKind.DeleteVolumes, r.Action);
    }

    [Fact]
    public void Volumes_UnattachedButNamed_IsOnlyMediumConfidence()
    {
        Assert.Equal(Confidence.Medium, Assert.Single(WasteRules.Volumes([Volume("vol-1", "gp3", 100, null, "keep-me")])).Confidence);
    }

    [Fact]
    public void Volumes_AttachedGp2_IsConvertToGp3()
    {
        var r = Assert.Single(WasteRules.Volumes([Volume("vol-2", "gp2", 500, "i-1")]));

        Assert.Equal(RecommendationKind.ConvertToGp3, r.Kind);
        Assert.Equal(10.00m, r.MonthlySaving); // 500 × (0.10 − 0.08)
        Assert.Equal("gp3", r.ToRequest().Parameters[ResizeParameters.VolumeType]);
        Assert.Equal(Domain.Actions.ActionKind.ModifyVolumes, r.Action);
    }

    [Fact]
    public void Volumes_AttachedGp3AndIo2_AreLeftAlone()
    {
        Assert.Empty(WasteRules.Volumes([Volume("vol-3", "gp3", 100, "i-1"), Volume("vol-4", "io2", 100, "i-1")]));
    }

    [Fact]
    public void Volumes_UnattachedGp2_IsOneDeleteRatherThanAConversionToo()
    {
        Assert.Equal(RecommendationKind.DeleteVolume, Assert.Single(WasteRules.Volumes([Volume("vol-5", "gp2", 8, null)])).Kind);
    }

    [Fact]
    public void Addresses_OnlyTheUnassociatedOnes_AtTheIdlePrice()
    {
        var idle = new AddressInfo(Scope, "eipalloc-1", "198.51.100.1", null, null, NoTags);
        var used = new AddressInfo(Scope, "eipalloc-2", "198.51.100.2", "eipassoc-1", "i-1", NoTags);

        var r = Assert.Single(WasteRules.Addresses([idle, used]));

        Assert.Equal("eipalloc-1", r.ResourceId);
        Assert.Equal(3.65m, r.MonthlySaving);
        Assert.Equal(Domain.Actions.ActionKind.ReleaseAddresses, r.Action);
    }
}
