using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
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

/// <summary>Disaster recovery over the EC2 and KMS adapters on moto: the DR drill with its RTO, and the KMS key check of a policy's DR copy.</summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class AwsDisasterRecoveryMotoTests(MotoServer moto) : IAsyncLifetime
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

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        database = await TestDatabase.CreateSqliteAsync();
        ec2 = MotoAws.Ec2(moto.Url, Source);
        drEc2 = MotoAws.Ec2(moto.Url, Dr);
        services = MotoAws.Provider(moto.Url, clock, null, Source, Dr);
    }

    public async Task DisposeAsync()
    {
        ec2.Dispose();
        drEc2.Dispose();
        await services.DisposeAsync();
        await database.DisposeAsync();
    }

    [Fact]
    public async Task Drill_RestoresTheLatestCopiesInTheDrRegion_RecordsTheRto_AndCleansUp()
    {
        var instance = Assert.Single(await LaunchAsync(new() { ["Backup"] = "daily" }));
        var policy = await SavePolicyAsync();
        var engine = BackupEngine();
        clock.SetUtcNow(At(1, 2, 5));
        var run = Assert.Single(await engine.StartDueAsync());
        await FinishRunAsync(engine, run.Id);
        var copies = await OursAsync(drEc2, policy.Id);
        Assert.Equal(2, copies.Count);

        var drills = new EfBackupDrillStore(database.Contexts);
        var drillEngine = new DrillEngine(drills, new EfBackupPolicyStore(database.Contexts), Services.GetRequiredService<IRecoveryCloud>(), Services.GetRequiredService<IInventory>(), clock);
        clock.SetUtcNow(At(1, 10, 0));
        var items = await drillEngine.PlanAsync([new InstanceRef(MotoServer.AccountId, Source, instance)]);
        Assert.Equal(Dr, Assert.Single(items).DrRegion);
        var drill = await drillEngine.StartAsync(Guid.NewGuid(), Operator, items, "t3.small");

        // Step one launches; moto reports the instance running with both checks ok, so the next step (3 minutes later) measures and cleans up.
        Assert.True(await drillEngine.AdvanceAsync(drill.Id));
        var launched = Assert.Single((await drills.FindAsync(drill.Id))!.Items);
        Assert.Equal(DrillItemStatus.Launched, launched.Status);
        Assert.NotNull(launched.RegisteredImageId);
        var restored = (await drEc2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [launched.RestoredInstanceId!] })).Reservations.Single().Instances.Single();
        Assert.Equal("t3.small", restored.InstanceType.Value);
        Assert.Equal(launched.RegisteredImageId, restored.ImageId);
        Assert.Contains(restored.Tags, t => t.Key == "portalops:drill" && t.Value == drill.Id.ToString("N"));
        Assert.Equal("2026-06-01T02:00:00Z", launched.Window);

        // A second worker stepping again launches nothing new (the launch is keyed per drill and instance).
        var again = await Services.GetRequiredService<IRecoveryCloud>().LaunchAsync(new CloudScope(MotoServer.AccountId, Dr),
            DrPlanner.Latest(copies.Select(c => AwsRecoveryPoint(c)).ToList(), instance, null, "t3.small", null, null)!, $"drill:{drill.Id:N}:{instance}");
        Assert.Equal(launched.RestoredInstanceId, again.InstanceId);

        clock.Advance(TimeSpan.FromMinutes(3));
        Assert.True(await drillEngine.AdvanceAsync(drill.Id));
        var done = (await drills.FindAsync(drill.Id))!;
        Assert.Equal(DrillStatus.Passed, done.Status);
        Assert.Equal(TimeSpan.FromMinutes(3), done.Rto);
        var item = Assert.Single(done.Items);
        Assert.Equal(DrillItemStatus.Recovered, item.Status);
        Assert.True(item.CleanedUp);
        Assert.Equal(At(1, 10, 3), item.RecoveredAt);

        var after = (await drEc2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [launched.RestoredInstanceId!] })).Reservations.Single().Instances.Single();
        Assert.Contains(after.State.Name.Value, new[] { "shutting-down", "terminated" });
        var images = await drEc2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] });
        Assert.DoesNotContain(images.Images ?? [], i => i.ImageId == launched.RegisteredImageId);
        Assert.Equal(2, (await OursAsync(drEc2, policy.Id)).Count);

        var history = await drills.QueryAsync(new ReadScope([Scope.Parse($"{MotoServer.AccountId}/{Source}")]), 0, 10);
        Assert.Equal(drill.Id, Assert.Single(history.Items).Id);
        Assert.Empty((await drills.QueryAsync(new ReadScope([Scope.Parse($"{MotoServer.AccountId}/eu-west-1")]), 0, 10)).Items);
        Assert.Empty(await drills.ActiveAsync());
        Assert.False(await drillEngine.AdvanceAsync(drill.Id));
    }

    [Fact]
    public async Task Drill_WithoutCopies_FailsTheInstance_AndLaunchesNothing()
    {
        var instance = Assert.Single(await LaunchAsync(new() { ["Backup"] = "daily" }));
        await SavePolicyAsync();
        var drills = new EfBackupDrillStore(database.Contexts);
        var drillEngine = new DrillEngine(drills, new EfBackupPolicyStore(database.Contexts), Services.GetRequiredService<IRecoveryCloud>(), Services.GetRequiredService<IInventory>(), clock);
        var drill = await drillEngine.StartAsync(Guid.NewGuid(), Operator, await drillEngine.PlanAsync([new InstanceRef(MotoServer.AccountId, Source, instance)]), null);

        await drillEngine.AdvanceAsync(drill.Id);

        var done = (await drills.FindAsync(drill.Id))!;
        Assert.Equal(DrillStatus.Failed, done.Status);
        Assert.Contains($"No complete copy of {instance} in {Dr}", Assert.Single(done.Items).Error, StringComparison.Ordinal);
        Assert.Null(done.Rto);
        var running = await drEc2.DescribeInstancesAsync(new DescribeInstancesRequest());
        Assert.Empty((running.Reservations ?? []).SelectMany(r => r.Instances ?? []));
    }

    [Fact]
    public async Task KmsKey_ThatDoesNotExistOrIsDisabledInTheDrRegion_IsRefusedBesideTheField()
    {
        using var drKms = Kms(Dr);
        using var sourceKms = Kms(Source);
        var good = (await drKms.CreateKeyAsync(new CreateKeyRequest { Description = "dr" })).KeyMetadata.KeyId;
        await drKms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/backups-dr", TargetKeyId = good });
        var disabled = (await drKms.CreateKeyAsync(new CreateKeyRequest { Description = "off" })).KeyMetadata.KeyId;
        await drKms.DisableKeyAsync(new DisableKeyRequest { KeyId = disabled });
        var elsewhere = (await sourceKms.CreateKeyAsync(new CreateKeyRequest { Description = "source only" })).KeyMetadata.KeyId;
        var actions = new BackupActions(new EfBackupPolicyStore(database.Contexts), Cron, null!, clock, Services.GetRequiredService<IKmsKeys>());

        Assert.Empty(await actions.CheckAsync(Draft(good)));
        Assert.Empty(await actions.CheckAsync(Draft("alias/backups-dr")));
        var missing = await actions.CheckAsync(Draft(elsewhere));
        Assert.Contains($"does not exist in {Dr}", missing[BackupPolicyDraft.CopyKmsKeyField], StringComparison.Ordinal);
        var off = await actions.CheckAsync(Draft(disabled));
        Assert.Contains("Disabled", off[BackupPolicyDraft.CopyKmsKeyField], StringComparison.Ordinal);
        var alias = await actions.CheckAsync(Draft("alias/nobody-made-this"));
        Assert.True(alias.ContainsKey(BackupPolicyDraft.CopyKmsKeyField));

        // Refused before anything is submitted: the pipeline (null here) is never reached.
        var refused = await Assert.ThrowsAsync<BackupPolicyException>(() => actions.SavePolicyAsync(Operator, null, Draft(elsewhere), "k1"));
        Assert.Equal([BackupPolicyDraft.CopyKmsKeyField], refused.Problems.Keys);
    }

    private static BackupPolicyDraft Draft(string kmsKey) =>
        new("web-daily", MotoServer.AccountId, Source, new Dictionary<string, string> { ["Backup"] = "daily" }, [], [new BackupRule("daily", "0 2 * * *", "UTC", 7)],
            Copy: new DisasterRecoveryCopy(Dr, kmsKey, 7));

    private AmazonKeyManagementServiceClient Kms(string region) =>
        new(new BasicAWSCredentials("testing", "testing"), new AmazonKeyManagementServiceConfig { ServiceURL = moto.Url.ToString(), AuthenticationRegion = region });

    private static RecoveryPoint AwsRecoveryPoint(Snapshot s) => PortalOps.Jobs.Aws.Backups.AwsBackupCloud.ToPoint(new CloudScope(MotoServer.AccountId, Dr), s);

    private ServiceProvider Services => services;

    private BackupRunEngine BackupEngine() => new(
        new EfBackupPolicyStore(database.Contexts), new EfBackupRunStore(database.Contexts), Services.GetRequiredService<IInventory>(),
        Services.GetRequiredService<IBackupCloud>(), new EfBackupProtectionStore(database.Contexts), new BackupPlanner(Cron), new SilentBackupNotifier(), clock);

    private async Task<BackupPolicy> SavePolicyAsync()
    {
        var draft = new BackupPolicyDraft("web-daily", MotoServer.AccountId, Source, new Dictionary<string, string> { ["Backup"] = "daily" }, [],
            [new BackupRule("daily", "0 2 * * *", "UTC", 7)], Copy: new DisasterRecoveryCopy(Dr, null, 7));
        var policy = BackupPolicy.Create(draft, Cron, Operator, At(1, 0, 0));
        await new EfBackupPolicyStore(database.Contexts).AddVersionAsync(policy);
        return policy;
    }

    private async Task FinishRunAsync(BackupRunEngine engine, Guid id)
    {
        var store = new EfBackupRunStore(database.Contexts);
        for (var i = 0; i < 30; i++)
        {
            await engine.AdvanceAsync(id);
            var run = (await store.FindAsync(id))!;
            if (run.IsFinished && run.PruneDone)
            {
                Assert.Equal(BackupRunStatus.Succeeded, run.Status);
                return;
            }

            clock.Advance(TimeSpan.FromMinutes(1));
        }

        throw new Xunit.Sdk.XunitException("The run did not finish in 30 steps.");
    }

    private async Task<List<string>> LaunchAsync(Dictionary<string, string> tags)
    {
        var image = await MotoAws.AnyImageIdAsync(ec2);
        var run = await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = image, InstanceType = InstanceType.T3Micro, MinCount = 1, MaxCount = 1,
            BlockDeviceMappings =
            [
                new BlockDeviceMapping { DeviceName = "/dev/sda1", Ebs = new EbsBlockDevice { VolumeSize = 8, DeleteOnTermination = true } },
                new BlockDeviceMapping { DeviceName = "/dev/sdf", Ebs = new EbsBlockDevice { VolumeSize = 10, DeleteOnTermination = true } },
            ],
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Ec2Tag("Name", "web-0"), .. tags.Select(t => new Ec2Tag(t.Key, t.Value))] }],
        });
        return [run.Reservation.Instances[0].InstanceId];
    }

    private static async Task<List<Snapshot>> OursAsync(AmazonEC2Client client, Guid policyId)
    {
        var r = await client.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { OwnerIds = ["self"], Filters = [new Filter("tag:" + BackupTags.Policy, [policyId.ToString("N")])] });
        return r.Snapshots ?? [];
    }

    private static DateTimeOffset At(int day, int hour, int minute) => new(2026, 6, day, hour, minute, 0, TimeSpan.Zero);
}
