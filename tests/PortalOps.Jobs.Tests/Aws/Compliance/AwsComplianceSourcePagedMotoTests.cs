using Amazon.EC2;
using Amazon.EC2.Model;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws.Compliance;
using PortalOps.Jobs.Tests.Aws.Support;
using Ec2ResourceType = Amazon.EC2.ResourceType;
using ResourceType = PortalOps.Domain.Compliance.ResourceType;

namespace PortalOps.Jobs.Tests.Aws.Compliance;

/// <summary>The scan's pages on a moto that pages DescribeInstances and DescribeVolumes as EC2 documents (moto_paged_as_ec2.py).</summary>
[Trait("Category", "Peer")]
// In the moto collection, so that the 1,200-instance fleet is never seeded while other moto tests run: both emulators share the
// machine's cores, and the fault tests' settle windows are tight.
[Collection(MotoCollection.Name)]
public sealed class AwsComplianceSourcePagedMotoTests(PagedMotoServer moto) : IAsyncLifetime, IClassFixture<PagedMotoServer>
{
    private static readonly CloudScope East = new(MotoServer.AccountId, "us-east-1");

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Read_1200InstancesInBatches_ReadsEachOnceInTwoInstancePagesAndThreeVolumePages()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var image = await MotoAws.AnyImageIdAsync(ec2);
        var launched = new List<string>();
        foreach (var (batch, count) in new[] { (0, 250), (1, 250), (2, 250), (3, 250), (4, 200) })
        {
            var run = await ec2.RunInstancesAsync(new RunInstancesRequest
            {
                ImageId = image,
                InstanceType = InstanceType.T3Micro,
                MinCount = count,
                MaxCount = count,
                TagSpecifications = [new TagSpecification { ResourceType = Ec2ResourceType.Instance, Tags = [new Tag("Name", $"batch-{batch}"), new Tag("team", "web")] }],
            });
            launched.AddRange(run.Reservation.Instances.Select(i => i.InstanceId));
        }

        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        // moto answers a region of 1,200 instances slowly on a busy machine; the host's 5 s default is for real EC2.
        var options = TestAws.Options(proxy.Url);
        options.RequestTimeoutSeconds = 120;
        var source = new AwsComplianceSource(TestAws.Clients(options), TestAws.Core());

        var resources = await source.ReadAsync(East);

        var instances = resources.Where(r => r.Type == ResourceType.Instance).ToList();
        var volumes = resources.Where(r => r.Type == ResourceType.Volume).ToList();
        Assert.Equal(1200, launched.Count);
        Assert.Equal(launched.Order(StringComparer.Ordinal), instances.Select(i => i.Id).Order(StringComparer.Ordinal)); // each once, none lost at a page's edge
        Assert.Equal(1200, volumes.Select(v => v.Id).Distinct(StringComparer.Ordinal).Count()); // one root volume each
        Assert.All(volumes, v => Assert.True((bool)v.Fields[ResourceFields.Attached]));
        Assert.All(instances, i => Assert.Equal("web", i.Tags["team"]));
        Assert.Equal(250, instances.Count(i => i.Name == "batch-3"));
        Assert.All(instances, i => Assert.IsType<DateTimeOffset>(i.Fields[ResourceFields.ImageCreationTime]));
        Assert.Equal((1200 + AwsComplianceSource.InstancesPage - 1) / AwsComplianceSource.InstancesPage, proxy.CallsTo("DescribeInstances")); // 2
        Assert.Equal((1200 + AwsComplianceSource.VolumesPage - 1) / AwsComplianceSource.VolumesPage, proxy.CallsTo("DescribeVolumes")); // 3
        Assert.Equal(2, proxy.CallsTo("DescribeInstances"));
        Assert.Equal(3, proxy.CallsTo("DescribeVolumes"));
        Assert.Equal(2, proxy.CallsTo("DescribeImages"));
        Assert.Equal(0, proxy.CallsTo("DescribeInstanceAttribute"));
    }

    [Fact]
    public async Task Launcher_PagesAsEc2_DescribeInstancesSplitsAReservationAcrossPages()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var image = await MotoAws.AnyImageIdAsync(ec2);
        await ec2.RunInstancesAsync(new RunInstancesRequest { ImageId = image, InstanceType = InstanceType.T3Micro, MinCount = 12, MaxCount = 12 });

        var first = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = 5 });
        var second = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = 5, NextToken = first.NextToken });
        var third = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = 5, NextToken = second.NextToken });
        var volumes = await ec2.DescribeVolumesAsync(new DescribeVolumesRequest { MaxResults = 5 });

        Assert.Equal([5, 5, 2], new[] { first, second, third }.Select(p => p.Reservations.Sum(r => r.Instances.Count)));
        Assert.Equal(first.Reservations[0].ReservationId, second.Reservations[0].ReservationId);
        Assert.True(string.IsNullOrEmpty(third.NextToken));
        Assert.Equal(5, volumes.Volumes.Count);
        Assert.False(string.IsNullOrEmpty(volumes.NextToken));
    }
}
