using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Sandbox;
using PortalOps.Jobs.Tests.Instances;

namespace PortalOps.Jobs.Tests.Sandbox;

/// <summary>The shared port contract, run unchanged against the Sandbox account.</summary>
public sealed class SandboxInstancePortsTests : InstancePortsContract, IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
    private readonly SandboxCloud _cloud;

    public SandboxInstancePortsTests() => _cloud = new SandboxCloud(Options.Create(new SandboxOptions()), _clock, new FleetEvents());

    protected override ICloudProvider Provider => _cloud;

    protected override IInventory Inventory => _cloud;

    protected override ICompute Compute => _cloud;

    public void Dispose() => _cloud.Dispose();

    protected override async Task<IReadOnlyList<InstanceRef>> RunningInstancesAsync(int count)
    {
        var account = _cloud.Accounts[0];
        var page = await _cloud.QueryAsync(new InstanceQuery { State = InstanceState.Running, AccountId = account.Id, Region = account.Regions[0], PageSize = count, SortBy = InstanceSort.InstanceId });
        Assert.True(page.Items.Count >= count, $"The sandbox has only {page.Items.Count} running instances in {account.Regions[0]}.");
        return page.Items.Select(i => i.Ref).ToList();
    }

    protected override Task LetTimePassAsync()
    {
        _clock.Advance(TimeSpan.FromSeconds(10));
        return Task.CompletedTask;
    }
}
