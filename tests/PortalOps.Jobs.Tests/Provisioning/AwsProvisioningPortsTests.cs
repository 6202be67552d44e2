using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests.Provisioning;

/// <summary>The provisioning contract against the AWS provider on moto, plus what only AWS's wire shows (what another EC2 client sees).</summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class AwsProvisioningPortsTests(MotoServer moto) : ProvisioningPortsContract, IAsyncLifetime
{
    private ServiceProvider services = null!;

    protected override ICloudProvider Provider => services.GetRequiredService<ICloudProvider>();

    protected override IInventory Inventory => services.GetRequiredService<IInventory>();

    protected override ICompute Compute => services.GetRequiredService<ICompute>();

    protected override IInstanceLauncher Launcher => services.GetRequiredService<IInstanceLauncher>();

    protected override ICloudResources Resources => services.GetRequiredService<ICloudResources>();

    protected override IInstanceTypeCatalog Types => services.GetRequiredService<IInstanceTypeCatalog>();

    protected override IImageCatalog Images => services.GetRequiredService<IImageCatalog>();

    protected override IInstanceAttributes Attributes => services.GetRequiredService<IInstanceAttributes>();

    protected override IElasticIps Addresses => services.GetRequiredService<IElasticIps>();

    protected override IVolumes Volumes => services.GetRequiredService<IVolumes>();

    protected override ISnapshots Snapshots => services.GetRequiredService<ISnapshots>();

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        services = MotoAws.Provider(moto.Url);
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    protected override async Task<string> ImageIdAsync()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var images = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["amazon"] });
        return images.Images.First(i => i.Architecture?.Value == "x86_64" && i.RootDeviceType?.Value == "ebs").ImageId;
    }

    protected override async Task<string> UnattachedVolumeAsync()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var volume = await ec2.CreateVolumeAsync(new CreateVolumeRequest { AvailabilityZone = "us-east-1a", Size = 20 });
        return volume.Volume.VolumeId;
    }

    protected override async Task<string> IdleAddressAsync()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var address = await ec2.AllocateAddressAsync(new AllocateAddressRequest { Domain = Amazon.EC2.DomainType.Vpc });
        return address.AllocationId;
    }

    [Fact]
    public async Task Launch_WizardSpec_AnotherClientSeesTypeZoneSubnetTagsEncryptionAndImdsV2()
    {
        var spec = await WizardSpecAsync();

        var made = Assert.Single((await LaunchThroughExecutorAsync(spec, "wizard-1")).Created);

        using var ec2 = MotoAws.Ec2(moto.Url);
        var seen = (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [made.InstanceId] })).Reservations.Single().Instances.Single();
        Assert.Equal(("t3.micro", spec.AvailabilityZone, spec.SubnetId), (seen.InstanceType.Value, seen.Placement.AvailabilityZone, seen.SubnetId));
        Assert.Equal("required", seen.MetadataOptions.HttpTokens.Value);
        Assert.Contains(seen.Tags, t => t is { Key: "team", Value: "platform" });
        Assert.Contains(seen.Tags, t => t is { Key: "Name", Value: "contract-web" });
        Assert.Contains(seen.Tags, t => t is { Key: "portalops:launch-token", Value: "wizard-1" });
        var volumes = await ec2.DescribeVolumesAsync(new DescribeVolumesRequest { Filters = [new Filter("attachment.instance-id", [made.InstanceId])] });
        var root = Assert.Single(volumes.Volumes);
        Assert.True(root.Encrypted);
        Assert.Equal(spec.VolumeSizeGiB, root.Size);
    }

    [Fact]
    public async Task Launch_AnswerLostOnTheFirstTry_RetriesWithoutASecondInstance()
    {
        var spec = await WizardSpecAsync();
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url, seed: 7);
        await using var viaProxy = MotoAws.Provider(proxy.Url, new Dictionary<string, string?> { ["Aws:RequestTimeoutSeconds"] = "1", ["Aws:MaxAttempts"] = "6" });
        proxy.TimeoutDelay = TimeSpan.FromSeconds(3);
        proxy.TimeoutRate = 1;
        var launcher = viaProxy.GetRequiredService<IInstanceLauncher>();
        var request = spec.ToRequest();

        var first = Task.Run(() => launcher.LaunchAsync(request, "lost-answer-1"));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        proxy.TimeoutRate = 0;
        var result = await first;

        using var ec2 = MotoAws.Ec2(moto.Url);
        var all = (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter("tag:portalops:launch-token", ["lost-answer-1"])] })).Reservations.SelectMany(r => r.Instances).ToList();
        Assert.Single(all);
        Assert.Equal(all[0].InstanceId, Assert.Single(result.Instances).InstanceId);
    }

    [Theory]
    [InlineData("InvalidKeyPair.NotFound", LaunchFields.KeyPair, "The key pair does not exist in this region")]
    [InlineData("InstanceLimitExceeded", LaunchFields.Count, "The account's instance limit")]
    [InlineData("InvalidAMIID.NotFound", LaunchFields.Image, "The image (AMI) does not exist in this region")]
    public async Task Launch_RefusedByEc2_IsExplainedInPlainWordsAndNothingIsLaunched(string code, string field, string words)
    {
        var spec = await WizardSpecAsync();
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        proxy.Fail("RunInstances", code, 400);
        await using var viaProxy = MotoAws.Provider(proxy.Url);

        var refused = await Assert.ThrowsAsync<LaunchRefusedException>(() => viaProxy.GetRequiredService<IInstanceLauncher>().LaunchAsync(spec.ToRequest(), "refused-" + code));

        Assert.Equal(code, refused.Code);
        Assert.StartsWith(words, refused.Message, StringComparison.Ordinal);
        Assert.Contains("request id denied-", refused.Message, StringComparison.Ordinal);
        Assert.Equal(field, LaunchErrors.Explain(code, string.Empty).Field);

        Assert.Equal(0, (await Inventory.SummarizeAsync()).Total);
    }
}
