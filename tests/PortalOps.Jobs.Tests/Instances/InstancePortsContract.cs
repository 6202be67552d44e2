using System.Diagnostics;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Instances;

namespace PortalOps.Jobs.Tests.Instances;

/// <summary>
/// One contract, every provider: what any implementation of <see cref="ICloudProvider"/>, <see cref="IInventory"/>
/// and <see cref="ICompute"/> must do. Derive once per provider (sandbox, AWS on moto) and supply the hooks.
/// </summary>
public abstract class InstancePortsContract
{
    protected abstract ICloudProvider Provider { get; }

    protected abstract IInventory Inventory { get; }

    protected abstract ICompute Compute { get; }

    /// <summary>At least <paramref name="count"/> running instances in the first account and region (made or found).</summary>
    protected abstract Task<IReadOnlyList<InstanceRef>> RunningInstancesAsync(int count);

    /// <summary>Lets time pass, for providers whose state changes take time (the sandbox advances its clock).</summary>
    protected virtual Task LetTimePassAsync() => Task.CompletedTask;

    /// <summary>An instance id of the provider's shape that does not exist.</summary>
    protected virtual string MissingInstanceId => "i-0123456789abcdef0";

    [Fact]
    public void Provider_Accounts_HaveIdsNamesAndRegions()
    {
        Assert.False(string.IsNullOrWhiteSpace(Provider.Name));
        Assert.NotEmpty(Provider.Accounts);
        Assert.All(Provider.Accounts, a =>
        {
            Assert.False(string.IsNullOrWhiteSpace(a.Id));
            Assert.False(string.IsNullOrWhiteSpace(a.DisplayName));
            Assert.NotEmpty(a.Regions);
            Assert.Equal(Provider.IsSandbox, a.IsSandbox);
        });
    }

    [Fact]
    public async Task QueryAsync_SmallPages_AddUpToTotalWithoutRepeats()
    {
        await RunningInstancesAsync(3);
        var first = await Inventory.QueryAsync(new InstanceQuery { PageSize = 2, SortBy = InstanceSort.InstanceId });
        Assert.True(first.TotalCount >= 3);
        var seen = new HashSet<InstanceRef>();
        for (var page = 0; page * 2 < first.TotalCount; page++)
        {
            var p = await Inventory.QueryAsync(new InstanceQuery { PageSize = 2, PageIndex = page, SortBy = InstanceSort.InstanceId });
            Assert.True(p.Items.Count <= 2);
            Assert.All(p.Items, i => Assert.True(seen.Add(i.Ref), $"{i.Ref} appeared twice"));
        }

        Assert.Equal(first.TotalCount, seen.Count);
    }

    [Fact]
    public async Task QueryAsync_FilterByStateAndRegion_ReturnsOnlyMatches()
    {
        var running = await RunningInstancesAsync(2);
        var region = running[0].Region;
        var page = await Inventory.QueryAsync(new InstanceQuery { State = InstanceState.Running, Region = region, PageSize = InstanceQuery.MaxPageSize });
        Assert.All(page.Items, i =>
        {
            Assert.Equal(InstanceState.Running, i.State);
            Assert.Equal(region, i.Region);
        });
        Assert.Contains(page.Items, i => i.Ref == running[0]);
    }

    [Fact]
    public async Task QueryAsync_TextIsInstanceId_FindsThatInstance()
    {
        var target = (await RunningInstancesAsync(1))[0];
        var page = await Inventory.QueryAsync(new InstanceQuery { Text = target.InstanceId });
        var found = Assert.Single(page.Items, i => i.Ref == target);
        Assert.Equal(target.InstanceId, found.InstanceId);
        Assert.False(string.IsNullOrEmpty(found.InstanceType));
        Assert.False(string.IsNullOrEmpty(found.AvailabilityZone));
    }

    [Fact]
    public async Task FindAsync_KnownInstance_ReturnsIt()
    {
        var target = (await RunningInstancesAsync(1))[0];
        var found = await Inventory.FindAsync(target);
        Assert.NotNull(found);
        Assert.Equal(target, found.Ref);
        Assert.Equal(InstanceState.Running, found.State);
    }

    [Fact]
    public async Task FindAsync_UnknownInstance_ReturnsNull()
    {
        var any = (await RunningInstancesAsync(1))[0];
        Assert.Null(await Inventory.FindAsync(any with { InstanceId = MissingInstanceId }));
        Assert.Null(await Inventory.FindAsync(any with { AccountId = "999999999999" }));
    }

    [Fact]
    public async Task SummarizeAsync_Totals_MatchTheQueryTotal()
    {
        await RunningInstancesAsync(2);
        var summary = await Inventory.SummarizeAsync();
        var all = await Inventory.QueryAsync(new InstanceQuery { PageSize = 1 });
        Assert.Equal(all.TotalCount, summary.Total);
        Assert.Equal(summary.Total, summary.ByState.Values.Sum());
        Assert.Equal(summary.Total, summary.ByRegion.Values.Sum());
    }

    [Fact]
    public async Task ApplyAsync_StopThenStart_ReachesStoppedThenRunning()
    {
        var target = (await RunningInstancesAsync(1))[0];

        var stop = await Compute.ApplyAsync(InstanceAction.Stop, [target], NewKey());
        Assert.True(stop.AllSucceeded, string.Join("; ", stop.Targets.Select(t => t.Error)));
        Assert.Equal(target, Assert.Single(stop.Targets).Target);
        await WaitForStateAsync(target, InstanceState.Stopped);
        var stopped = await Inventory.QueryAsync(new InstanceQuery { Text = target.InstanceId, State = InstanceState.Stopped });
        Assert.Single(stopped.Items);

        var start = await Compute.ApplyAsync(InstanceAction.Start, [target], NewKey());
        Assert.True(start.AllSucceeded, string.Join("; ", start.Targets.Select(t => t.Error)));
        await WaitForStateAsync(target, InstanceState.Running);
    }

    [Fact]
    public async Task ApplyAsync_SameKeyTwice_SucceedsBothTimes()
    {
        var target = (await RunningInstancesAsync(1))[0];
        var key = NewKey();
        var first = await Compute.ApplyAsync(InstanceAction.Stop, [target], key);
        var second = await Compute.ApplyAsync(InstanceAction.Stop, [target], key);
        Assert.True(first.AllSucceeded);
        Assert.True(second.AllSucceeded);
        await WaitForStateAsync(target, InstanceState.Stopped);
    }

    [Fact]
    public async Task ApplyAsync_OneUnknownTarget_FailsOnlyThatTarget()
    {
        var target = (await RunningInstancesAsync(1))[0];
        var missing = target with { InstanceId = MissingInstanceId };
        var result = await Compute.ApplyAsync(InstanceAction.Stop, [target, missing], NewKey());
        Assert.False(result.AllSucceeded);
        Assert.True(result.Targets.Single(t => t.Target == target).Succeeded);
        var failed = result.Targets.Single(t => t.Target == missing);
        Assert.False(failed.Succeeded);
        Assert.False(string.IsNullOrWhiteSpace(failed.Error));
        await WaitForStateAsync(target, InstanceState.Stopped);
    }

    [Fact]
    public async Task ApplyAsync_Terminate_EndsTerminated()
    {
        var target = (await RunningInstancesAsync(1))[0];
        var result = await Compute.ApplyAsync(InstanceAction.Terminate, [target], NewKey());
        Assert.True(result.AllSucceeded);
        await WaitForStateAsync(target, InstanceState.Terminated, allowGone: true);
    }

    protected static string NewKey() => Guid.NewGuid().ToString("N");

    protected async Task WaitForStateAsync(InstanceRef target, InstanceState state, bool allowGone = false)
    {
        var watch = Stopwatch.StartNew();
        Instance? last = null;
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            last = await Inventory.FindAsync(target);
            if ((last is null && allowGone) || last?.State == state)
            {
                return;
            }

            await LetTimePassAsync();
            await Task.Delay(50);
        }

        Assert.Fail($"{target} did not reach {state}; last seen {last?.State.ToString() ?? "nowhere"}.");
    }
}
