using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Scaling;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Aws;
using PortalOps.Jobs.Aws.Instances;
using PortalOps.Jobs.Costs;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Scaling.OffHours;
using PortalOps.Jobs.Tests.Aws.Support;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Aws.Costs;

/// <summary>
/// "Attach off-hours schedule" on an idle instance's recommendation, on moto: one CreateTags once the request is approved, after which
/// the off-hours schedule counts the instance as a member; a refused attach sends nothing to EC2.
/// </summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class CostScheduleMotoTests(MotoServer moto) : IAsyncLifetime
{
    private TestDatabase? _database;

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        _database = await TestDatabase.CreateSqliteAsync();
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task AttachSchedule_AfterApproval_TagsTheInstanceOnce_AndTheScheduleListsItAsAMember()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var id = (await MotoAws.LaunchAsync(ec2, 1, "batch", new Dictionary<string, string> { ["env"] = "dev" }))[0];
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        await using var services = Build(proxy.Url);
        await Builders.AddPeopleAsync(services.GetRequiredService<IUserStore>());
        await services.GetRequiredService<IOffHoursStore>().AddVersionAsync(Office(services.GetRequiredService<TimeProvider>().GetUtcNow()));
        var key = await RecommendIdleAsync(services, id);
        await using var scope = services.CreateAsyncScope();
        var schedules = scope.ServiceProvider.GetRequiredService<RecommendationSchedules>();
        var pipeline = scope.ServiceProvider.GetRequiredService<ActionPipeline>();
        var recommendation = (await services.GetRequiredService<ICostRecommendationStore>().FindAsync(key))!;
        proxy.ResetCounts();

        Assert.Equal(["office"], (await schedules.ChoicesAsync(Builders.Requester, recommendation.Recommendation)).Select(s => s.Name));
        var asked = await schedules.AttachAsync(Builders.Requester, key, "office");

        Assert.Equal(ActionStatus.PendingApproval, asked.Status);
        Assert.Equal(0, proxy.CallsTo("CreateTags"));
        Assert.NotNull((await services.GetRequiredService<ICostRecommendationStore>().FindAsync(key))!.AppliedAt);
        await pipeline.ApproveAsync(Builders.Approver, asked.ApprovalId!.Value, "nights and weekends off");
        var done = await pipeline.ExecuteApprovedAsync(asked.ApprovalId!.Value);

        Assert.Equal(ActionStatus.Executed, done.Status);
        Assert.Equal(1, proxy.CallsTo("CreateTags"));
        Assert.Equal("office", await TagAsync(ec2, id, "Schedule"));
        await services.GetRequiredService<AwsInventory>().RefreshAsync();
        var overview = await scope.ServiceProvider.GetRequiredService<OffHoursOperations>().OverviewAsync(Builders.Requester);
        var office = Assert.Single(overview.Schedules);
        Assert.Equal(("office", 1), (office.Schedule.Name, office.Saving.Resources));
        Assert.True(office.Saving.PerMonth > 0);
        Assert.Contains(overview.Calendar, e => e.ScheduleName == "office" && e.Resources == 1);

        // Run again (a retried job): the approval is carried out once.
        Assert.Equal(ActionStatus.Conflict, (await pipeline.ExecuteApprovedAsync(asked.ApprovalId!.Value)).Status);
        Assert.Equal(1, proxy.CallsTo("CreateTags"));
    }

    [Fact]
    public async Task AttachSchedule_InstanceFollowingAnotherSchedule_OrAnUnknownSchedule_IsRefused_AndNothingReachesEc2()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var id = (await MotoAws.LaunchAsync(ec2, 1, "batch", new Dictionary<string, string> { ["Schedule"] = "night-shift" }))[0];
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        await using var services = Build(proxy.Url);
        await Builders.AddPeopleAsync(services.GetRequiredService<IUserStore>());
        await services.GetRequiredService<IOffHoursStore>().AddVersionAsync(Office(services.GetRequiredService<TimeProvider>().GetUtcNow()));
        var key = await RecommendIdleAsync(services, id);
        await using var scope = services.CreateAsyncScope();
        var schedules = scope.ServiceProvider.GetRequiredService<RecommendationSchedules>();
        proxy.ResetCounts();

        var conflict = await schedules.AttachAsync(Builders.Requester, key, "office");
        var unknown = await schedules.AttachAsync(Builders.Requester, key, "weekend");

        Assert.Equal(ActionStatus.Refused, conflict.Status);
        Assert.Equal($"{id} follows another schedule, night-shift (Schedule=night-shift); change or remove that tag on the instance first.", conflict.Message);
        Assert.Equal((ActionStatus.NotFound, "There is no off-hours schedule called weekend."), (unknown.Status, unknown.Message));
        Assert.Equal(0, proxy.CallsTo("CreateTags"));
        Assert.Empty(await services.GetRequiredService<IApprovalStore>().ListAsync(null, 10));
        Assert.Null((await services.GetRequiredService<ICostRecommendationStore>().FindAsync(key))!.AppliedAt);
        Assert.Equal("night-shift", await TagAsync(ec2, id, "Schedule"));
    }

    private static SavedSchedule Office(DateTimeOffset at) => new(Guid.CreateVersion7(), 1,
        new ScheduleContent("office", "Europe/Berlin",
            ScheduleDraft.Week.Take(5).Select(d => new SchedulePeriod(d, new TimeOnly(8, 0), new TimeOnly(19, 0))).ToList(), [], MotoServer.AccountId, "us-east-1"),
        Guid.Empty, "test", at);

    /// <summary>Stores an idle-instance recommendation for the instance, as the daily scan does.</summary>
    private static async Task<string> RecommendIdleAsync(IServiceProvider services, string id)
    {
        var resource = new InstanceRef(MotoServer.AccountId, "us-east-1", id);
        var instance = (await services.GetRequiredService<IInventory>().FindAsync(resource))!;
        var recommendation = new Recommendation(RecommendationKind.StopIdle, resource, instance.Name, instance.Tags, instance.InstanceType, null, 7.59m, Confidence.High,
            ["Idle: CPU p95 0.4 % < 5 %"]);
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        await services.GetRequiredService<ICostRecommendationStore>().ReplaceAsync(
            new CostScanRecord(DateOnly.FromDateTime(now.UtcDateTime), now, now, 1, 1, recommendation.MonthlySaving, 0, []), [recommendation]);
        return recommendation.Key;
    }

    private static async Task<string?> TagAsync(IAmazonEC2 ec2, string id, string key) =>
        (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [id] })).Reservations[0].Instances[0].Tags.FirstOrDefault(t => t.Key == key)?.Value;

    private ServiceProvider Build(Uri url)
    {
        var settings = new Dictionary<string, string?>(_database!.Configuration)
        {
            ["Aws:ServiceUrl"] = url.ToString(),
            ["Aws:Accounts:0:Id"] = MotoServer.AccountId,
            ["Aws:Accounts:0:Regions:0"] = "us-east-1",
            ["Aws:RequestTimeoutSeconds"] = "20",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(configuration);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        services.AddSingleton(clock);
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<IFleetEvents, PortalOps.Jobs.Instances.FleetEvents>();
        Assert.True(services.AddAwsProvider(configuration));
        services.AddDomain();
        services.AddPersistence(configuration, _database.DataDirectory);
        services.AddProvisioningActions();
        services.AddCosts();
        services.AddOffHours();
        services.AddSingleton<IActionScheduler, NoScheduler>();
        return services.BuildServiceProvider();
    }

    private sealed class NoScheduler : IActionScheduler
    {
        public void EnqueueApproved(Guid approvalId)
        {
        }
    }
}
