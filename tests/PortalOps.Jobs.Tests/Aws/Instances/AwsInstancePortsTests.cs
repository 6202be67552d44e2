using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Tests.Aws.Support;
using PortalOps.Jobs.Tests.Instances;

namespace PortalOps.Jobs.Tests.Aws.Instances;

/// <summary>The shared port contract, run against the AWS provider on moto.</summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class AwsInstancePortsTests : InstancePortsContract, IAsyncLifetime
{
    private readonly MotoServer moto;
    private ServiceProvider services = null!;
    private List<InstanceRef> running = [];

    public AwsInstancePortsTests(MotoServer moto) => this.moto = moto;

    protected override ICloudProvider Provider => services.GetRequiredService<ICloudProvider>();

    protected override IInventory Inventory => services.GetRequiredService<IInventory>();

    protected override ICompute Compute => services.GetRequiredService<ICompute>();

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        services = MotoAws.Provider(moto.Url);
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    protected override async Task<IReadOnlyList<InstanceRef>> RunningInstancesAsync(int count)
    {
        if (running.Count < count)
        {
            using var ec2 = MotoAws.Ec2(moto.Url);
            var ids = await MotoAws.LaunchAsync(ec2, count - running.Count, "contract");
            running.AddRange(ids.Select(id => new InstanceRef(MotoServer.AccountId, "us-east-1", id)));
        }

        return running;
    }
}
