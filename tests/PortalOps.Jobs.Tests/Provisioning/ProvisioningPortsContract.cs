using PortalOps.Domain.Accounts;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;

namespace PortalOps.Jobs.Tests.Provisioning;

/// <summary>
/// One contract for the provisioning ports, every provider: the launcher, the resources around instances, instance attributes
/// and the leftovers. Derive once per provider (Sandbox, AWS on moto) and supply the hooks.
/// </summary>
public abstract class ProvisioningPortsContract
{
    protected abstract ICloudProvider Provider { get; }

    protected abstract IInventory Inventory { get; }

    protected abstract ICompute Compute { get; }

    protected abstract IInstanceLauncher Launcher { get; }

    protected abstract ICloudResources Resources { get; }

    protected abstract IInstanceTypeCatalog Types { get; }

    protected abstract IImageCatalog Images { get; }

    protected abstract IInstanceAttributes Attributes { get; }

    protected abstract IElasticIps Addresses { get; }

    protected abstract IVolumes Volumes { get; }

    protected abstract ISnapshots Snapshots { get; }

    protected CloudScope Scope => new(Provider.Accounts[0].Id, Provider.Accounts[0].Regions[0]);

    /// <summary>An x86_64 image in <see cref="Scope"/> that t3.micro can boot.</summary>
    protected abstract Task<string> ImageIdAsync();

    /// <summary>An EBS volume in <see cref="Scope"/> attached to nothing.</summary>
    protected abstract Task<string> UnattachedVolumeAsync();

    /// <summary>An Elastic IP in <see cref="Scope"/> associated with nothing.</summary>
    protected abstract Task<string> IdleAddressAsync();

    protected virtual Task LetTimePassAsync() => Task.CompletedTask;

    protected LaunchPlanner Planner(params string[] requiredTags) =>
        new(Provider, Resources, Types, Images, new RequiredTags(requiredTags), Inventory);

    /// <summary>A launch as the wizard builds it: first zone, t3.micro, a subnet of that zone, the default group, encrypted gp3, IMDSv2, tags.</summary>
    protected async Task<LaunchSpec> WizardSpecAsync(int count = 1)
    {
        var zone = (await Resources.AvailabilityZonesAsync(Scope)).OrderBy(z => z.ZoneName, StringComparer.Ordinal).First().ZoneName;
        var subnet = (await Resources.SubnetsAsync(Scope)).First(s => s.AvailabilityZone == zone);
        var group = (await Resources.SecurityGroupsAsync(Scope)).First(g => g.Name == "default" && g.VpcId == subnet.VpcId);
        var imageId = await ImageIdAsync();
        var image = await Images.FindAsync(Scope, imageId);
        return new LaunchSpec
        {
            AccountId = Scope.AccountId,
            Region = Scope.Region,
            AvailabilityZone = zone,
            InstanceType = "t3.micro",
            ImageId = imageId,
            SubnetId = subnet.SubnetId,
            SecurityGroupIds = [group.GroupId],
            VolumeSizeGiB = Math.Max(10, image?.RootSnapshotSizeGiB ?? 0),
            VolumeType = "gp3",
            Encrypted = true,
            RequireImdsV2 = true,
            Name = "contract-web",
            Tags = new Dictionary<string, string> { ["team"] = "platform", ["env"] = "staging" },
            Count = count,
        };
    }

    protected async Task<ActionExecution> LaunchThroughExecutorAsync(LaunchSpec spec, string key)
    {
        var executor = new LaunchExecutor(Launcher, Planner("team"));
        var placement = new ResolvedTarget(new InstanceRef(spec.AccountId, spec.Region, ResolvedTarget.NewInstancesId), "new", spec.AllTags());
        return await executor.ExecuteAsync(ActionKind.LaunchInstances, [placement], LaunchParameters.From(spec), key, CancellationToken.None);
    }

    [Fact]
    public async Task Types_OfferedInAZone_HaveVcpusAndMemory()
    {
        var zone = (await Resources.AvailabilityZonesAsync(Scope))[0].ZoneName;
        var micro = Assert.Single(await Types.OfferedInZoneAsync(Scope, zone), t => t.InstanceType == "t3.micro");
        Assert.Equal((2, 1024), (micro.VCpus, micro.MemoryMiB));
        Assert.True(await Types.MaxInstancesAsync(Scope) > 0);
    }

    [Fact]
    public async Task Images_FindKnownAndUnknown_ReturnsItOrNull()
    {
        var id = await ImageIdAsync();
        var image = await Images.FindAsync(Scope, id);
        Assert.NotNull(image);
        Assert.Equal(id, image.ImageId);
        Assert.False(string.IsNullOrEmpty(image.RootDeviceName));
        Assert.Null(await Images.FindAsync(Scope, "ami-0000000000000dead"));
    }

    [Fact]
    public async Task Planner_WizardSpec_IsValid()
    {
        var validation = await Planner("team").ValidateAsync(await WizardSpecAsync());
        Assert.True(validation.IsValid, validation.ToString());
    }

    [Fact]
    public async Task Launch_WizardSpec_MakesExactlyThatInstance()
    {
        var spec = await WizardSpecAsync();

        var execution = await LaunchThroughExecutorAsync(spec, Guid.NewGuid().ToString("N"));

        Assert.True(execution.Succeeded, execution.Summary);
        var made = Assert.Single(execution.Created);
        var instance = await Inventory.FindAsync(made);
        Assert.NotNull(instance);
        Assert.Equal((spec.InstanceType, spec.AvailabilityZone, spec.SubnetId, spec.ImageId), (instance.InstanceType, instance.AvailabilityZone, instance.SubnetId, instance.ImageId));
        Assert.Equal(("contract-web", "platform", "staging"), (instance.Name, instance.Tags["team"], instance.Tags["env"]));
        Assert.True(instance.ImdsV2Required);
        var root = Assert.Single(await Resources.VolumesAsync(Scope), v => v.AttachedTo == made.InstanceId);
        Assert.Equal((true, spec.VolumeSizeGiB, "gp3"), (root.Encrypted, root.SizeGiB, root.VolumeType));
    }

    [Fact]
    public async Task Launch_SameKeyTwice_MakesTheInstancesOnce()
    {
        var spec = await WizardSpecAsync(count: 2);
        var key = Guid.NewGuid().ToString("N");

        var first = await LaunchThroughExecutorAsync(spec, key);
        var second = await LaunchThroughExecutorAsync(spec, key);

        Assert.True(first.Succeeded, first.Summary);
        Assert.Equal(2, first.Created.Count);
        Assert.Equal(first.Created.OrderBy(r => r.InstanceId, StringComparer.Ordinal), second.Created.OrderBy(r => r.InstanceId, StringComparer.Ordinal));
        Assert.StartsWith("Already launched", second.Summary, StringComparison.Ordinal);
        var named = await Inventory.QueryAsync(new InstanceQuery { Text = "contract-web", PageSize = 50 });
        Assert.Equal(2, named.Items.Count(i => i.State != InstanceState.Terminated));
    }

    [Fact]
    public async Task DryRun_WizardSpec_IsAllowedAndLaunchesNothing()
    {
        var spec = await WizardSpecAsync();
        var before = (await Inventory.SummarizeAsync()).Total;

        var check = await Launcher.DryRunAsync(spec.ToRequest());

        Assert.True(check.Allowed, check.Message);
        Assert.Equal(before, (await Inventory.SummarizeAsync()).Total);
    }

    [Fact]
    public async Task Protection_TerminationOn_TerminateIsRefusedUntilItIsOff()
    {
        var made = Assert.Single((await LaunchThroughExecutorAsync(await WizardSpecAsync(), Guid.NewGuid().ToString("N"))).Created);
        await Attributes.SetProtectionAsync(made, termination: true, stop: null);
        Assert.True((await Attributes.GetAsync(made))!.TerminationProtection);

        var refused = await Compute.ApplyAsync(InstanceAction.Terminate, [made], Guid.NewGuid().ToString("N"));
        Assert.False(refused.AllSucceeded);
        Assert.Contains("OperationNotPermitted", refused.Targets[0].Error, StringComparison.Ordinal);

        await Attributes.SetProtectionAsync(made, termination: false, stop: null);
        var done = await Compute.ApplyAsync(InstanceAction.Terminate, [made], Guid.NewGuid().ToString("N"));
        Assert.True(done.AllSucceeded, done.Targets[0].Error);
    }

    [Fact]
    public async Task Tags_SetAndRemove_ShowOnTheInstance()
    {
        var made = Assert.Single((await LaunchThroughExecutorAsync(await WizardSpecAsync(), Guid.NewGuid().ToString("N"))).Created);

        await Attributes.SetTagsAsync(made, new Dictionary<string, string> { ["owner"] = "ana", ["Name"] = "renamed" }, ["env"]);

        var instance = (await Inventory.FindAsync(made))!;
        Assert.Equal(("ana", "renamed"), (instance.Tags["owner"], instance.Name));
        Assert.False(instance.Tags.ContainsKey("env"));
    }

    [Fact]
    public async Task Leftovers_UnattachedVolumeAndIdleAddress_AreListedAndCleanedUp()
    {
        var volume = await UnattachedVolumeAsync();
        var address = await IdleAddressAsync();
        Assert.Contains(await Resources.VolumesAsync(Scope), v => v.VolumeId == volume && v.AttachedTo is null);
        Assert.Contains(await Addresses.AddressesAsync(Scope), a => a.AllocationId == address && !a.IsAssociated);

        await Volumes.DeleteAsync(Scope, volume);
        await Addresses.ReleaseAsync(Scope, address);
        await Volumes.DeleteAsync(Scope, volume);

        Assert.DoesNotContain(await Resources.VolumesAsync(Scope), v => v.VolumeId == volume && v.State != "deleting" && v.State != "deleted");
        Assert.DoesNotContain(await Addresses.AddressesAsync(Scope), a => a.AllocationId == address);
    }

    [Fact]
    public async Task SnapshotAndTerminate_Instance_SnapshotsEveryVolumeThenTerminates()
    {
        var made = Assert.Single((await LaunchThroughExecutorAsync(await WizardSpecAsync(), Guid.NewGuid().ToString("N"))).Created);
        var instance = (await Inventory.FindAsync(made))!;
        var executor = new SnapshotAndTerminateExecutor(Inventory, Snapshots, Compute);

        var result = await executor.ExecuteAsync(ActionKind.SnapshotAndTerminateInstances, [new ResolvedTarget(made, instance.Name, instance.Tags)], new Dictionary<string, string>(), Guid.NewGuid().ToString("N"), CancellationToken.None);

        Assert.True(result.Succeeded, result.Summary);
        var snapshots = await Resources.SnapshotsAsync(Scope);
        Assert.All(instance.Volumes, v => Assert.Contains(snapshots, s => s.VolumeId == v.VolumeId));
        await LetTimePassAsync();
        var after = await Inventory.FindAsync(made);
        Assert.True(after is null || after.State is InstanceState.ShuttingDown or InstanceState.Terminated);
    }

    private sealed class RequiredTags(string[] keys) : ITagGovernance
    {
        public IReadOnlyList<string> RequiredTagKeys { get; } = keys;
    }
}
