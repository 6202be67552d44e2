using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Backups;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Aws.Support;
using PortalOps.Jobs.Tests.Fixtures;
using Ec2Tag = Amazon.EC2.Model.Tag;
using Scope = PortalOps.Domain.Security.Scope;

namespace PortalOps.Jobs.Tests.Aws.Backups;

/// <summary>The backup engine over the EC2 adapter on moto, with the real stores on SQLite: runs, copies, pruning, restore.</summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class AwsBackupMotoTests(MotoServer moto) : IAsyncLifetime
{
    private const string Source = "us-east-1";
    private const string Dr = "us-west-2";
    private static readonly CronosSchedule Cron = new();
    private static readonly Actor Operator = new(Guid.NewGuid(), "olga", Role.Operator, [Scope.Everything], Channel.Web);
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
    private TestDatabase database = null!;
    private ServiceProvider services = null!;
    private AmazonEC2Client ec2 = null!;
    private AmazonEC2Client drEc2 = null!;
    private LoopbackProxy? proxy;

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        database = await TestDatabase.CreateSqliteAsync();
        ec2 = MotoAws.Ec2(moto.Url, Source);
        drEc2 = MotoAws.Ec2(moto.Url, Dr);
    }

    public async Task DisposeAsync()
    {
        ec2.Dispose();
        drEc2.Dispose();
        if (services is not null)
        {
            await services.DisposeAsync();
        }

        if (proxy is not null)
        {
            await proxy.DisposeAsync();
        }

        await database.DisposeAsync();
    }

    [Fact]
    public async Task Run_MakesExactlyTheTaggedSnapshotsAndTheirDrCopies_AndTheSameWindowTwiceMakesNone()
    {
        var tagged = await LaunchAsync(3, new() { ["Backup"] = "daily", ["Team"] = "shop" });
        await LaunchAsync(1, new() { ["Backup"] = "never" });
        var policy = await SavePolicyAsync(new BackupRule("daily", "0 2 * * *", "UTC", 7));
        var engine = Engine();

        clock.SetUtcNow(At(1, 2, 5));
        var started = Assert.Single(await engine.StartDueAsync());
        Assert.Empty(await engine.StartDueAsync());
        var run = await FinishAsync(engine, started.Id);

        Assert.Equal(BackupRunStatus.Succeeded, run.Status);
        Assert.Equal(tagged.Order(StringComparer.Ordinal), run.Items.Select(i => i.Instance.InstanceId));
        var snapshots = await OursAsync(ec2, policy.Id);
        Assert.Equal(6, snapshots.Count);
        foreach (var instance in tagged)
        {
            var mine = snapshots.Where(s => Tag(s, BackupTags.Instance) == instance).ToList();
            Assert.Equal(2, mine.Count);
            Assert.Equal(2, mine.Select(s => s.VolumeId).Distinct().Count());
            Assert.All(mine, s =>
            {
                Assert.Equal("daily", Tag(s, BackupTags.Rule));
                Assert.Equal("2026-06-01T02:00:00Z", Tag(s, BackupTags.Window));
                Assert.Equal("shop", Tag(s, "Team"));
            });
        }

        var copies = await OursAsync(drEc2, policy.Id);
        Assert.Equal(6, copies.Count);
        Assert.Equal(snapshots.Select(s => s.SnapshotId).Order(StringComparer.Ordinal), copies.Select(c => Tag(c, BackupTags.Source)).Order(StringComparer.Ordinal));
        Assert.All(copies, c => Assert.Equal("copy", Tag(c, BackupTags.Copy)));

        // The run's record lost (a restore of the database, another node's fresh store): the same window adopts what exists.
        var again = BackupRun.Plan(policy, run.Window, await AllAsync(), clock.GetUtcNow());
        var otherStore = new EfBackupRunStore(database.Contexts);
        await database.ExecuteSqlAsync("DELETE FROM \"BackupRuns\"");
        Assert.True(await otherStore.TryAddAsync(again));
        await FinishAsync(engine, again.Id);
        Assert.Equal(6, (await OursAsync(ec2, policy.Id)).Count);
        Assert.Equal(6, (await OursAsync(drEc2, policy.Id)).Count);

        var protection = await new EfBackupProtectionStore(database.Contexts).ListAsync(new ReadScope([Scope.Everything]));
        Assert.Equal(3, protection.Count);
        Assert.All(protection, p => Assert.Equal(RpoStatus.Met, p.StatusAt(clock.GetUtcNow())));
    }

    [Fact]
    public async Task Prune_KeepsTheCountExactly_AndNeverASnapshotBehindAnImage_NorOneItDidNotMake()
    {
        var instance = Assert.Single(await LaunchAsync(1, new() { ["Backup"] = "daily" }));
        var policy = await SavePolicyAsync(new BackupRule("daily", "0 2 * * *", "UTC", 3), copy: false);
        var handMade = await ec2.CreateSnapshotAsync(new CreateSnapshotRequest { VolumeId = (await VolumesAsync(instance))[0] });
        var engine = Engine();

        string? behindImage = null;
        for (var day = 1; day <= 6; day++)
        {
            clock.SetUtcNow(At(day, 2, 5));
            var run = Assert.Single(await engine.StartDueAsync());
            await FinishAsync(engine, run.Id);
            if (day == 1)
            {
                // An image now stands on a snapshot carrying the first window's tags (moto's RegisterImage ignores the snapshot it is given,
                // so the image is made from the instance and its snapshot is tagged as the first window's root snapshot).
                var first = (await OursAsync(ec2, policy.Id)).OrderBy(s => s.VolumeId, StringComparer.Ordinal).First();
                var image = await ec2.CreateImageAsync(new CreateImageRequest { InstanceId = instance, Name = "from-backup" });
                var described = await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [image.ImageId] });
                var imageSnapshot = described.Images[0].BlockDeviceMappings.Select(m => m.Ebs?.SnapshotId).First(id => id is not null)!;
                await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [imageSnapshot], Tags = [.. first.Tags, new Ec2Tag(BackupTags.Volume, first.VolumeId)] });
                behindImage = imageSnapshot;
            }
        }

        var left = await OursAsync(ec2, policy.Id);
        var windows = left.Where(s => s.SnapshotId != behindImage).GroupBy(s => Tag(s, BackupTags.Window)).Select(g => g.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["2026-06-04T02:00:00Z", "2026-06-05T02:00:00Z", "2026-06-06T02:00:00Z"], windows);
        Assert.Equal(6, left.Count(s => s.SnapshotId != behindImage));
        Assert.Contains(left, s => s.SnapshotId == behindImage);
        Assert.Equal("2026-06-01T02:00:00Z", Tag(left.Single(s => s.SnapshotId == behindImage), BackupTags.Window));
        var all = await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { OwnerIds = ["self"] });
        Assert.Contains(all.Snapshots, s => s.SnapshotId == handMade.Snapshot.SnapshotId);
    }

    [Fact]
    public async Task Prune_KeepsByAgeExactly_AtTheSourceAndInTheDrRegion()
    {
        Assert.Single(await LaunchAsync(1, new() { ["Backup"] = "daily" }));
        var policy = await SavePolicyAsync(new BackupRule("daily", "0 2 * * *", "UTC", 30, 2), copy: true, copyKeep: 1);
        var engine = Engine();

        for (var day = 1; day <= 5; day++)
        {
            clock.SetUtcNow(At(day, 2, 5));
            var run = Assert.Single(await engine.StartDueAsync());
            await FinishAsync(engine, run.Id);
        }

        // At 5 June 02:05 with 2 days' age: 3 June 02:00 is 2 days and 5 minutes old, so only the 4th and 5th remain.
        var source = await OursAsync(ec2, policy.Id);
        Assert.Equal(["2026-06-04T02:00:00Z", "2026-06-05T02:00:00Z"], source.Select(s => Tag(s, BackupTags.Window)).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(4, source.Count);
        var copies = await OursAsync(drEc2, policy.Id);
        Assert.Equal(["2026-06-05T02:00:00Z"], copies.Select(s => Tag(s, BackupTags.Window)).Distinct());
        Assert.Equal(2, copies.Count);
    }

    [Fact]
    public async Task Run_FailedCreateAndThrottling_AreRetriedAndReported_NothingDuplicated()
    {
        proxy = await LoopbackProxy.StartAsync(moto.Url);
        services = MotoAws.Provider(proxy.Url, clock, null, Source, Dr);
        var instances = await LaunchAsync(4, new() { ["Backup"] = "daily" });
        var policy = await SavePolicyAsync(new BackupRule("daily", "0 2 * * *", "UTC", 7), copy: false);
        var engine = Engine();

        proxy.Fail("CreateSnapshots", "SnapshotCreationPerVolumeRateExceeded", 400);
        clock.SetUtcNow(At(1, 2, 5));
        var run = Assert.Single(await engine.StartDueAsync());
        await engine.AdvanceAsync(run.Id);
        var afterFailure = (await new EfBackupRunStore(database.Contexts).FindAsync(run.Id))!;
        Assert.All(afterFailure.Items, i =>
        {
            Assert.Equal(BackupItemStatus.Pending, i.Status);
            Assert.Contains("SnapshotCreationPerVolumeRateExceeded", i.Error, StringComparison.Ordinal);
            Assert.Contains("request id denied-", i.Error, StringComparison.Ordinal);
        });

        proxy.Heal("CreateSnapshots");
        proxy.ThrottleRate = 0.3;
        clock.Advance(TimeSpan.FromMinutes(3));
        var done = await FinishAsync(engine, run.Id);
        proxy.ThrottleRate = 0;

        Assert.Equal(BackupRunStatus.Succeeded, done.Status);
        Assert.All(done.Items, i => Assert.True(i.Attempts >= 2));
        Assert.Equal(8, (await OursAsync(ec2, policy.Id)).Count);
        Assert.Equal(instances.Count, (await OursAsync(ec2, policy.Id)).Select(s => Tag(s, BackupTags.Instance)).Distinct().Count());
    }

    [Fact]
    public async Task Run_CreateRefusedEveryTime_FailsTheInstanceWithAwsError()
    {
        proxy = await LoopbackProxy.StartAsync(moto.Url);
        services = MotoAws.Provider(proxy.Url, clock, null, Source, Dr);
        await LaunchAsync(1, new() { ["Backup"] = "daily" });
        var policy = await SavePolicyAsync(new BackupRule("daily", "0 2 * * *", "UTC", 7), copy: false);
        var engine = Engine();
        proxy.Fail("CreateSnapshots", "UnauthorizedOperation");

        clock.SetUtcNow(At(1, 2, 5));
        var run = Assert.Single(await engine.StartDueAsync());
        var done = await FinishAsync(engine, run.Id);

        Assert.Equal(BackupRunStatus.Failed, done.Status);
        var item = Assert.Single(done.Items);
        Assert.Equal(3, item.Attempts);
        Assert.Contains("UnauthorizedOperation", item.Error, StringComparison.Ordinal);
        Assert.Empty(await OursAsync(ec2, policy.Id));
    }

    [Fact]
    public async Task Restore_VolumeFromSnapshotAttached_AndInstanceFromImage()
    {
        var instance = Assert.Single(await LaunchAsync(1, new() { ["Backup"] = "daily" }));
        var snapshot = await ec2.CreateSnapshotAsync(new CreateSnapshotRequest { VolumeId = (await VolumesAsync(instance))[0] });
        var cloud = Services.GetRequiredService<IBackupCloud>();
        var scope = new CloudScope(MotoServer.AccountId, Source);

        var volume = await cloud.RestoreVolumeAsync(scope, new VolumeRestore(snapshot.Snapshot.SnapshotId, "us-east-1a", "gp3", 20, true, null, instance, "/dev/sdh"), "restore-1");
        var again = await cloud.RestoreVolumeAsync(scope, new VolumeRestore(snapshot.Snapshot.SnapshotId, "us-east-1a", "gp3", 20, true, null, instance, "/dev/sdh"), "restore-1");

        Assert.Equal(volume.ResourceId, again.ResourceId);
        var described = (await ec2.DescribeVolumesAsync(new DescribeVolumesRequest { VolumeIds = [volume.ResourceId] })).Volumes.Single();
        Assert.Equal(snapshot.Snapshot.SnapshotId, described.SnapshotId);
        Assert.Equal(20, described.Size);
        Assert.Equal("gp3", described.VolumeType.Value);
        Assert.Equal(instance, Assert.Single(described.Attachments).InstanceId);

        var image = await ec2.CreateImageAsync(new CreateImageRequest { InstanceId = instance, Name = "web-image" });
        var launched = await cloud.RestoreInstanceAsync(scope, new InstanceRestore(image.ImageId, "t3.small", null, "us-east-1b", new Dictionary<string, string> { ["Name"] = "web-restored" }), "restore-2");
        var relaunched = await cloud.RestoreInstanceAsync(scope, new InstanceRestore(image.ImageId, "t3.small", null, "us-east-1b", new Dictionary<string, string> { ["Name"] = "web-restored" }), "restore-2");

        Assert.Equal(launched.ResourceId, relaunched.ResourceId);
        var restored = (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [launched.ResourceId] })).Reservations.Single().Instances.Single();
        Assert.Equal(image.ImageId, restored.ImageId);
        Assert.Equal("t3.small", restored.InstanceType.Value);
        Assert.Contains(restored.Tags, t => t.Key == "Name" && t.Value == "web-restored");
    }

    [Fact]
    public async Task Restore_InstanceFromImageWithTheLaunchWizardsChoices_RunsOneInstanceWithThatImageTypeSubnetAndTags()
    {
        var instance = Assert.Single(await LaunchAsync(1, new() { ["Backup"] = "daily", ["team"] = "shop" }));
        var policyTags = new List<Ec2Tag> { new(BackupTags.Policy, Guid.NewGuid().ToString("N")), new(BackupTags.Rule, "daily"), new(BackupTags.Instance, instance) };
        var image = (await ec2.CreateImageAsync(new CreateImageRequest
        {
            InstanceId = instance, Name = "web-backup", TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Image, Tags = policyTags }],
        })).ImageId;
        var subnet = (await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest())).Subnets.OrderBy(x => x.AvailabilityZone, StringComparer.Ordinal).Last();
        var group = (await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest())).SecurityGroups.First(g => g.GroupName == "default" && g.VpcId == subnet.VpcId);
        await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = "ops-restore" });
        var spec = new PortalOps.Domain.Provisioning.LaunchSpec
        {
            AccountId = MotoServer.AccountId, Region = Source, AvailabilityZone = subnet.AvailabilityZone, InstanceType = "t3.small", ImageId = image,
            SubnetId = subnet.SubnetId, SecurityGroupIds = [group.GroupId], KeyName = "ops-restore", VolumeSizeGiB = 20, Name = "web-restored",
            Tags = new Dictionary<string, string> { ["team"] = "shop", ["env"] = "prod" },
        };
        var parameters = RestoreLaunch.Parameters(spec);
        var executor = RestoreExecutor();
        var target = new PortalOps.Domain.Actions.ResolvedTarget(new InstanceRef(MotoServer.AccountId, Source, image), "web-backup", new Dictionary<string, string>());

        var first = await executor.ExecuteAsync(PortalOps.Domain.Actions.ActionKind.RestoreInstance, [target], parameters, "restore-wizard-1", CancellationToken.None);
        var again = await executor.ExecuteAsync(PortalOps.Domain.Actions.ActionKind.RestoreInstance, [target], parameters, "restore-wizard-1", CancellationToken.None);

        Assert.True(first.Succeeded, first.Summary);
        var made = Assert.Single(first.Created).InstanceId;
        Assert.Equal(made, Assert.Single(again.Created).InstanceId);
        var restored = (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter("tag:" + RestoreLaunch.RestoredFromTag, [image])] }))
            .Reservations.SelectMany(r => r.Instances).Single();
        Assert.Equal(made, restored.InstanceId);
        Assert.Equal(image, restored.ImageId);
        Assert.Equal("t3.small", restored.InstanceType.Value);
        Assert.Equal(subnet.SubnetId, restored.SubnetId);
        Assert.Equal(subnet.AvailabilityZone, restored.Placement.AvailabilityZone);
        Assert.Equal("ops-restore", restored.KeyName);
        Assert.Equal([group.GroupId], restored.SecurityGroups.Select(g => g.GroupId));
        var tags = restored.Tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal(("web-restored", "shop", "prod", image), (tags["Name"], tags["team"], tags["env"], tags[RestoreLaunch.RestoredFromTag]));
        Assert.DoesNotContain(tags.Keys, k => k is BackupTags.Policy or BackupTags.Rule or BackupTags.Instance);
    }

    [Fact]
    public async Task Restore_InstanceFromAnImageNoPolicyMade_FailsWithTheReason_AndLaunchesNothing()
    {
        var instance = Assert.Single(await LaunchAsync(1, new() { ["team"] = "shop" }));
        var image = (await ec2.CreateImageAsync(new CreateImageRequest { InstanceId = instance, Name = "hand-made" })).ImageId;
        var spec = new PortalOps.Domain.Provisioning.LaunchSpec
        {
            AccountId = MotoServer.AccountId, Region = Source, AvailabilityZone = "us-east-1a", InstanceType = "t3.micro", ImageId = image, Name = "nope",
            Tags = new Dictionary<string, string> { ["team"] = "shop" },
        };
        var target = new PortalOps.Domain.Actions.ResolvedTarget(new InstanceRef(MotoServer.AccountId, Source, image), "hand-made", new Dictionary<string, string>());

        var result = await RestoreExecutor().ExecuteAsync(PortalOps.Domain.Actions.ActionKind.RestoreInstance, [target], RestoreLaunch.Parameters(spec), "restore-wizard-2", CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("was not made by a PortalOps backup policy", result.Summary, StringComparison.Ordinal);
        var all = (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest())).Reservations.SelectMany(r => r.Instances);
        Assert.DoesNotContain(all, i => i.Tags.Any(t => t.Key == RestoreLaunch.RestoredFromTag));
    }

    private BackupActionExecutor RestoreExecutor()
    {
        var inventory = Services.GetRequiredService<IInventory>();
        var planner = new PortalOps.Domain.Provisioning.LaunchPlanner(Services.GetRequiredService<PortalOps.Domain.Accounts.ICloudProvider>(), Services.GetRequiredService<ICloudResources>(),
            Services.GetRequiredService<PortalOps.Domain.Provisioning.IInstanceTypeCatalog>(), Services.GetRequiredService<PortalOps.Domain.Provisioning.IImageCatalog>(), new TeamTagGovernance(), inventory);
        return new BackupActionExecutor(new EfBackupPolicyStore(database.Contexts), Services.GetRequiredService<IBackupCloud>(), inventory, Cron, Engine(), clock,
            launcher: Services.GetRequiredService<IInstanceLauncher>(), planner: planner);
    }

    private sealed class TeamTagGovernance : PortalOps.Domain.Provisioning.ITagGovernance
    {
        public IReadOnlyList<string> RequiredTagKeys { get; } = ["team"];
    }

    private ServiceProvider Services => services ??= MotoAws.Provider(moto.Url, clock, null, Source, Dr);

    private BackupRunEngine Engine() => new(
        new EfBackupPolicyStore(database.Contexts), new EfBackupRunStore(database.Contexts), Services.GetRequiredService<IInventory>(),
        Services.GetRequiredService<IBackupCloud>(), new EfBackupProtectionStore(database.Contexts), new BackupPlanner(Cron), new SilentBackupNotifier(), clock)
    {
        Settings = new BackupEngineSettings { RetryDelay = TimeSpan.FromMinutes(2) },
    };

    private async Task<BackupPolicy> SavePolicyAsync(BackupRule rule, bool copy = true, int copyKeep = 7)
    {
        var draft = new BackupPolicyDraft("web-daily", MotoServer.AccountId, Source, new Dictionary<string, string> { ["Backup"] = "daily" }, [], [rule],
            Copy: copy ? new DisasterRecoveryCopy(Dr, null, copyKeep) : null);
        var policy = BackupPolicy.Create(draft, Cron, Operator, At(1, 0, 0));
        await new EfBackupPolicyStore(database.Contexts).AddVersionAsync(policy);
        return policy;
    }

    /// <summary>Steps a run (advancing the clock a minute each time) until it is finished and pruned.</summary>
    private async Task<BackupRun> FinishAsync(BackupRunEngine engine, Guid id)
    {
        var store = new EfBackupRunStore(database.Contexts);
        for (var i = 0; i < 30; i++)
        {
            await engine.AdvanceAsync(id);
            var run = (await store.FindAsync(id))!;
            if (run.IsFinished && run.PruneDone)
            {
                return run;
            }

            clock.Advance(TimeSpan.FromMinutes(1));
        }

        throw new Xunit.Sdk.XunitException("The run did not finish in 30 steps.");
    }

    private async Task<IReadOnlyList<PortalOps.Domain.Instances.Instance>> AllAsync() =>
        (await Services.GetRequiredService<IInventory>().QueryAsync(new InstanceQuery { PageSize = InstanceQuery.MaxPageSize })).Items;

    private async Task<List<string>> LaunchAsync(int count, Dictionary<string, string> tags)
    {
        var image = await MotoAws.AnyImageIdAsync(ec2);
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var run = await ec2.RunInstancesAsync(new RunInstancesRequest
            {
                ImageId = image, InstanceType = InstanceType.T3Micro, MinCount = 1, MaxCount = 1,
                BlockDeviceMappings =
                [
                    new BlockDeviceMapping { DeviceName = "/dev/sda1", Ebs = new EbsBlockDevice { VolumeSize = 8, DeleteOnTermination = true } },
                    new BlockDeviceMapping { DeviceName = "/dev/sdf", Ebs = new EbsBlockDevice { VolumeSize = 10, DeleteOnTermination = true } },
                ],
                TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Ec2Tag("Name", $"web-{i}"), .. tags.Select(t => new Ec2Tag(t.Key, t.Value))] }],
            });
            ids.Add(run.Reservation.Instances[0].InstanceId);
        }

        return ids;
    }

    private async Task<List<string>> VolumesAsync(string instance)
    {
        var r = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instance] });
        return r.Reservations[0].Instances[0].BlockDeviceMappings.Select(m => m.Ebs.VolumeId).ToList();
    }

    private static async Task<List<Snapshot>> OursAsync(AmazonEC2Client client, Guid policyId)
    {
        var r = await client.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { OwnerIds = ["self"], Filters = [new Filter("tag:" + BackupTags.Policy, [policyId.ToString("N")])] });
        return r.Snapshots ?? [];
    }

    private static string? Tag(Snapshot s, string key) => s.Tags?.FirstOrDefault(t => t.Key == key)?.Value;

    private static DateTimeOffset At(int day, int hour, int minute) => new(2026, 6, day, hour, minute, 0, TimeSpan.Zero);
}
