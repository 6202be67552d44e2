using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using InstanceState = PortalOps.Domain.Instances.InstanceState;
using PortalOps.Domain.Scaling;
using PortalOps.Jobs.Approvals;
using PortalOps.Jobs.Aws.Instances;
using PortalOps.Jobs.Aws.Scaling;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Aws.Support;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Aws.Scaling;

/// <summary>
/// The off-hours scheduler against moto: instances stopped and started and a group scaled to zero and back at the edges of a Berlin
/// schedule, on a fake clock; a second run (or a second node at the same moment) sends nothing; a hand-stopped instance stays stopped.
/// </summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class OffHoursMotoTests(MotoServer moto) : IAsyncLifetime
{
    private static readonly CloudScope Scope = new(MotoServer.AccountId, "us-east-1");
    private static readonly AuditKey Key = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    // Monday 23 March 2026: 19:00 in Berlin is 18:00 UTC; Tuesday 08:00 is 07:00 UTC.
    private static readonly DateTimeOffset MondayStop = new(2026, 3, 23, 18, 0, 20, TimeSpan.Zero);
    private static readonly DateTimeOffset TuesdayStart = new(2026, 3, 24, 7, 0, 20, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(MondayStop);
    private readonly OffHoursSettings _settings = new();
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        _database = await TestDatabase.CreateSqliteAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Edges_StopAndStartInstances_AndScaleTheGroupToZeroAndBack_EachOnce()
    {
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        await using var services = MotoAws.Provider(proxy.Url);
        using var ec2 = MotoAws.Ec2(moto.Url);
        var ids = await MotoAws.LaunchAsync(ec2, 2, "dev", new Dictionary<string, string> { ["Schedule"] = "office", ["env"] = "dev" });
        var (worker, byHand) = (ids[0], ids[1]);
        await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [byHand] });
        var api = services.GetRequiredService<IAutoScalingApi>();
        await api.CreateGroupAsync(Scope, new AutoScalingGroupSpec("web", 1, 4, 2, LaunchTemplateId: await TemplateAsync(ec2), LaunchTemplateVersion: "$Latest",
            AvailabilityZones: ["us-east-1a"], Tags: [new AsgTag("Schedule", "office"), new AsgTag("env", "dev")]));
        var store = new EfOffHoursStore(_database.Contexts);
        await store.AddVersionAsync(Office());
        var (node1, node2) = (await EngineAsync(services, store), await EngineAsync(services, store));
        await RefreshAsync(services);
        proxy.ResetCounts();

        // Two nodes run at the same moment: the edge acts once.
        var runs = await Task.WhenAll(node1.RunAsync(), node2.RunAsync());

        Assert.Equal(1, proxy.CallsTo("StopInstances"));
        Assert.Equal(1, proxy.CallsTo("UpdateAutoScalingGroup"));
        Assert.Equal(2, runs.Sum(r => r.Acted));
        Assert.Equal(InstanceState.Stopped, await StateAsync(ec2, worker));
        Assert.Equal((0, 0, 0), await CapacityAsync(api));
        var stop = Assert.Single(await AuditAsync(ActionKind.StopInstances.Name));
        Assert.Equal(("off-hours schedule office", Domain.Common.Channel.Job, AuditOutcome.Succeeded), (stop.Event.ActorName, stop.Event.Channel, stop.Event.Outcome));
        Assert.Contains(worker, stop.Event.Target, StringComparison.Ordinal);
        Assert.Single(await AuditAsync(ActionKind.SleepGroups.Name));

        // A minute later nothing is sent again.
        _clock.Advance(TimeSpan.FromMinutes(1));
        await RefreshAsync(services);
        proxy.ResetCounts();
        var again = await node1.RunAsync();
        Assert.Equal(0, again.Acted);
        Assert.Equal(0, proxy.CallsTo("StopInstances") + proxy.CallsTo("UpdateAutoScalingGroup"));

        // Tuesday morning: the worker and the group come back; the instance stopped by hand stays stopped.
        _clock.SetUtcNow(TuesdayStart);
        await RefreshAsync(services);
        proxy.ResetCounts();
        var morning = await node2.RunAsync();

        Assert.Equal(2, morning.Acted);
        Assert.Equal(1, proxy.CallsTo("StartInstances"));
        Assert.Equal(InstanceState.Running, await StateAsync(ec2, worker));
        Assert.Equal(InstanceState.Stopped, await StateAsync(ec2, byHand));
        Assert.Equal((1, 2, 4), await CapacityAsync(api));
        var start = Assert.Single(await AuditAsync(ActionKind.StartInstances.Name));
        Assert.DoesNotContain(byHand, start.Event.Target, StringComparison.Ordinal);
        Assert.Contains("stopped by someone", (await store.RecordsSinceAsync(TuesdayStart.AddHours(-1))).Single(r => r.Resource.Ref.InstanceId == byHand && r.Action == EdgeAction.Start).Summary, StringComparison.Ordinal);

        _clock.Advance(TimeSpan.FromMinutes(1));
        await RefreshAsync(services);
        proxy.ResetCounts();
        Assert.Equal(0, (await node1.RunAsync()).Acted);
        Assert.Equal(0, proxy.CallsTo("StartInstances") + proxy.CallsTo("UpdateAutoScalingGroup"));
    }

    private static SavedSchedule Office() => new(Guid.CreateVersion7(), 1,
        new ScheduleContent("office", "Europe/Berlin",
            ScheduleDraft.Week.Take(5).Select(d => new SchedulePeriod(d, new TimeOnly(8, 0), new TimeOnly(19, 0))).ToList(), []),
        Guid.Empty, "test", new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

    private async Task<OffHoursEngine> EngineAsync(IServiceProvider services, IOffHoursStore store)
    {
        var users = new EfUserStore(_database.Contexts, _database.Secrets);
        if ((await users.ListAsync()).Count == 0)
        {
            await Builders.AddPeopleAsync(users);
        }

        var scaling = services.GetRequiredService<IScaling>();
        var pipeline = new ActionPipeline(
            services.GetRequiredService<IInventory>(),
            [new InstanceActionExecutor(services.GetRequiredService<ICompute>()), new OffHoursExecutor(store, _settings, _clock, scaling)],
            new ApprovalPolicyProvider(Options.Create(new ApprovalOptions())),
            new EfApprovalStore(_database.Contexts),
            new NoScheduler(),
            new EfAuditLog(new PortalDbContextFactory(_database.Database), TimeProvider.System, Key),
            new NoNotifier(),
            users,
            _clock,
            new EfActionLedger(new PortalDbContextFactory(_database.Database)));
        return new OffHoursEngine(store, new OffHoursSubjects(services.GetRequiredService<IInventory>(), _settings, scaling), new OffHoursPlanner(_settings),
            pipeline, new NotifierOffHoursAlerts(new NoNotifier()), users, _clock);
    }

    private static Task RefreshAsync(IServiceProvider services) => services.GetRequiredService<AwsInventory>().RefreshAsync();

    private async Task<IReadOnlyList<AuditRecord>> AuditAsync(string action) =>
        (await new EfAuditLog(new PortalDbContextFactory(_database.Database), TimeProvider.System, Key).QueryAsync(new AuditQuery { Action = action, PageSize = 50 })).Items;

    private static async Task<InstanceState> StateAsync(Amazon.EC2.IAmazonEC2 ec2, string id)
    {
        var described = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [id] });
        return described.Reservations[0].Instances[0].State.Name.Value switch
        {
            "running" or "pending" => InstanceState.Running,
            "stopped" or "stopping" => InstanceState.Stopped,
            var other => throw new InvalidOperationException(other),
        };
    }

    private static async Task<(int, int, int)> CapacityAsync(IAutoScalingApi api)
    {
        var group = Assert.Single(await api.DescribeGroupsAsync(Scope, ["web"]));
        return (group.MinSize, group.DesiredCapacity, group.MaxSize);
    }

    private static async Task<string> TemplateAsync(Amazon.EC2.IAmazonEC2 ec2)
    {
        var template = await ec2.CreateLaunchTemplateAsync(new CreateLaunchTemplateRequest
        {
            LaunchTemplateName = $"t-{Guid.NewGuid():N}"[..20],
            LaunchTemplateData = new RequestLaunchTemplateData { ImageId = await MotoAws.AnyImageIdAsync(ec2), InstanceType = Amazon.EC2.InstanceType.T3Micro },
        });
        return template.LaunchTemplate.LaunchTemplateId;
    }

    private sealed class NoScheduler : PortalOps.Domain.Approvals.IActionScheduler
    {
        public void EnqueueApproved(Guid approvalId)
        {
        }
    }

    private sealed class NoNotifier : PortalOps.Domain.Notifications.INotifier
    {
        public Task NotifyAsync(PortalOps.Domain.Notifications.Notification notification, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
