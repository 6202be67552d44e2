using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Sandbox;

namespace PortalOps.Jobs.Tests.Provisioning;

/// <summary>The provisioning contract on the Sandbox account, plus the Sandbox's own EC2-like refusals.</summary>
public sealed class SandboxProvisioningPortsTests : ProvisioningPortsContract, IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
    private readonly SandboxCloud _cloud;

    public SandboxProvisioningPortsTests() => _cloud = new SandboxCloud(Options.Create(new SandboxOptions()), _clock, new FleetEvents());

    protected override ICloudProvider Provider => _cloud;

    protected override IInventory Inventory => _cloud;

    protected override ICompute Compute => _cloud;

    protected override IInstanceLauncher Launcher => _cloud;

    protected override ICloudResources Resources => _cloud;

    protected override IInstanceTypeCatalog Types => _cloud;

    protected override IImageCatalog Images => _cloud;

    protected override IInstanceAttributes Attributes => _cloud;

    protected override IElasticIps Addresses => _cloud;

    protected override IVolumes Volumes => _cloud;

    protected override ISnapshots Snapshots => _cloud;

    public void Dispose() => _cloud.Dispose();

    protected override async Task<string> ImageIdAsync() => (await _cloud.LatestAsync(Scope)).First(i => i.Architecture == "x86_64").ImageId;

    protected override async Task<string> UnattachedVolumeAsync() => (await _cloud.VolumesAsync(Scope)).First(v => v.AttachedTo is null).VolumeId;

    protected override async Task<string> IdleAddressAsync() => (await _cloud.AddressesAsync(Scope)).First(a => !a.IsAssociated).AllocationId;

    protected override Task LetTimePassAsync()
    {
        _clock.Advance(TimeSpan.FromSeconds(10));
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Launch_Pending_RunsAfterPendingSeconds()
    {
        var made = Assert.Single((await LaunchThroughExecutorAsync(await WizardSpecAsync(), "k-pending")).Created);
        Assert.Equal(InstanceState.Pending, (await _cloud.FindAsync(made))!.State);
        _clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(InstanceState.Running, (await _cloud.FindAsync(made))!.State);
    }

    [Theory]
    [InlineData("keypair", "InvalidKeyPair.NotFound", LaunchFields.KeyPair)]
    [InlineData("zone", "Unsupported", LaunchFields.InstanceType)]
    [InlineData("volume", "InvalidBlockDeviceMapping", LaunchFields.VolumeSize)]
    [InlineData("image", "InvalidAMIID.NotFound", LaunchFields.Image)]
    [InlineData("count", "InstanceLimitExceeded", LaunchFields.Count)]
    public async Task Launch_RefusedAsEc2Would_ExplainsInPlainWords(string problem, string code, string field)
    {
        var spec = await WizardSpecAsync();
        var thirdZone = Scope.Region + "c";
        var request = problem switch
        {
            "keypair" => spec.ToRequest() with { KeyName = "nobody" },
            "zone" => (spec with { AvailabilityZone = thirdZone, SubnetId = (await _cloud.SubnetsAsync(Scope)).First(s => s.AvailabilityZone == thirdZone).SubnetId, InstanceType = "m6g.large" }).ToRequest(),
            "volume" => (spec with { VolumeSizeGiB = 2 }).ToRequest(),
            "image" => (spec with { ImageId = (await _cloud.LatestAsync(new CloudScope(Scope.AccountId, "us-east-1")))[0].ImageId }).ToRequest(),
            _ => (spec with { Count = 100 }).ToRequest(),
        };

        var refused = await Assert.ThrowsAsync<LaunchRefusedException>(() => _cloud.LaunchAsync(request, Guid.NewGuid().ToString("N")));

        Assert.Equal(code, refused.Code);
        Assert.Contains($"[{code}: ", refused.Message, StringComparison.Ordinal);
        Assert.False(refused.Message.StartsWith('['), "The plain explanation comes first.");
        Assert.Equal(field, LaunchErrors.Explain(code, refused.Message).Field);
    }

    [Fact]
    public async Task Terminate_InstanceWithADataVolumeAndAnAddress_LeavesThemBehind()
    {
        var fleet = (await _cloud.QueryAsync(new InstanceQuery { Region = Scope.Region, PageSize = 500 })).Items;
        var withData = fleet.First(i => i.Volumes.Count > 1 && i.State == InstanceState.Running);
        var dataVolume = withData.Volumes[1].VolumeId;

        await _cloud.ApplyAsync(InstanceAction.Terminate, [withData.Ref], "k-leave");

        var left = Assert.Single(await _cloud.VolumesAsync(Scope), v => v.VolumeId == dataVolume);
        Assert.Null(left.AttachedTo);
        Assert.Equal("available", left.State);
    }

    [Fact]
    public async Task Hibernate_InstanceWithoutHibernation_IsRefusedInPlainWords()
    {
        var fleet = (await _cloud.QueryAsync(new InstanceQuery { State = InstanceState.Running, PageSize = 500 })).Items;
        var plain = fleet.First(i => !i.HibernationConfigured);

        var result = await _cloud.ApplyAsync(InstanceAction.Hibernate, [plain.Ref], "k-hib");

        Assert.Contains("not launched with hibernation enabled", result.Targets[0].Error, StringComparison.Ordinal);
    }
}
