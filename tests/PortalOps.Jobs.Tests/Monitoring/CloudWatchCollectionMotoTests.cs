using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Aws;
using PortalOps.Jobs.Aws.Protocol;
using PortalOps.Jobs.Tests.Aws.Support;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Monitoring;

/// <summary>
/// The collection job on moto's CloudWatch: another client puts CPU data points, the portal collects them with GetMetricData,
/// keeps them in its database, and its rule fires for the hot instance only.
/// </summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class CloudWatchCollectionMotoTests(MotoServer moto) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        _database = await TestDatabase.CreateSqliteAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Collect_DataPutByAnotherClient_IsStoredAndTheRuleFiresForTheHotInstance()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var ids = await MotoAws.LaunchAsync(ec2, 2, "api");
        var now = DateTimeOffset.UtcNow;
        await PutCpuAsync(ids[0], now, 95);
        await PutCpuAsync(ids[1], now, 12);

        await using var services = Build();
        var owner = new PortalUser(Guid.NewGuid(), "alice", "Alice", Role.Approver, [Scope.Everything], now);
        await services.GetRequiredService<IUserStore>().AddAsync(owner);
        var draft = new AlertRuleDraft
        {
            Name = "API CPU high", Metric = MetricKind.Cpu, Comparison = Comparison.GreaterThan, Threshold = 80, PeriodMinutes = 5,
            EvaluationPeriods = 3, DatapointsToAlarm = 2, ScopeKind = ScopeKind.Account, ScopeValue = MotoServer.AccountId, NotifyRole = Role.Approver,
        };
        await services.GetRequiredService<IAlertRuleStore>().SaveAsync(draft.ToRule(Guid.NewGuid(), owner, now, TimeSpan.FromMinutes(5)));

        using var scope = services.CreateScope();
        var collected = await scope.ServiceProvider.GetRequiredService<MetricCollector>().CollectAsync();
        var evaluated = await scope.ServiceProvider.GetRequiredService<AlertEngine>().EvaluateAsync();

        Assert.True(collected.Points > 0, moto.Log);
        Assert.Empty(collected.Errors);
        Assert.Equal(1, collected.Calls);
        var stored = await services.GetRequiredService<IMetricStore>().QueryAsync([new InstanceRef(MotoServer.AccountId, "us-east-1", ids[0])], MetricKind.Cpu, now.AddHours(-1), now.AddHours(1));
        Assert.All(stored, p => Assert.Equal(95, p.Value, 3));
        Assert.Equal(1, evaluated.Opened);
        var alert = Assert.Single((await services.GetRequiredService<IAlertStore>().ListOpenAsync()));
        Assert.Equal(ids[0], Assert.Single(alert.Members).Instance.InstanceId);
        var inbox = await services.GetRequiredService<IInbox>().ListAsync(owner.Id, unreadOnly: true, 0, 10);
        Assert.Equal(alert.Id, Assert.Single(inbox.Items).AlertId);

        // Collecting again within the same period asks CloudWatch for nothing.
        var again = await scope.ServiceProvider.GetRequiredService<MetricCollector>().CollectAsync();
        Assert.Equal(0, again.Calls);
    }

    [Fact]
    public async Task Collect_StatusChecks_AreReadWithDescribeInstanceStatus()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var ids = await MotoAws.LaunchAsync(ec2, 1, "db");
        await using var services = Build();

        var reports = await services.GetRequiredService<IMetricsSource>().StatusAsync([new InstanceRef(MotoServer.AccountId, "us-east-1", ids[0])]);

        var report = Assert.Single(reports);
        Assert.False(report.Impaired);
    }

    [Fact]
    public async Task MirroredRule_WritesOneAlarmPerInstance_AndRemovesThemWhenTheRuleStopsCoveringThem()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var ids = await MotoAws.LaunchAsync(ec2, 2, "web");
        await using var services = Build();
        var owner = new PortalUser(Guid.NewGuid(), "alice", "Alice", Role.Approver, [Scope.Everything], DateTimeOffset.UtcNow);
        var rule = new AlertRuleDraft
        {
            Name = "Status", Kind = RuleKind.StatusCheck, EvaluationPeriods = 2, DatapointsToAlarm = 2, ScopeKind = ScopeKind.Account, ScopeValue = "*",
            NotifyRole = Role.Operator, MirrorToCloudWatch = true,
            Actions = [new CorrectiveAction(PortalOps.Domain.Actions.ActionKind.RecoverInstances.Name, ActionMode.Automatic)],
        }.ToRule(Guid.NewGuid(), owner, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        var mirror = services.GetRequiredService<IAlarmMirror>();
        var cloudWatch = services.GetRequiredService<PortalOps.Jobs.Aws.Monitoring.ICloudWatchApi>();
        var scope = new CloudScope(MotoServer.AccountId, "us-east-1");
        var fleet = await Fleet.AllAsync(services.GetRequiredService<IInventory>());

        await mirror.SyncAsync(rule, AlertRules.AlarmsFor(rule, owner.AsActor(PortalOps.Domain.Common.Channel.Web), fleet));
        var alarms = await cloudWatch.DescribeAlarmsAsync(scope, namePrefix: $"portalops-{rule.Id:N}-");
        Assert.Equal(ids.Select(i => rule.AlarmName(new InstanceRef(MotoServer.AccountId, "us-east-1", i))).Order(), alarms.Select(a => a.AlarmName).Order());
        Assert.All(alarms, a => Assert.Equal(("StatusCheckFailed", "GreaterThanOrEqualToThreshold", 2), (a.MetricName, a.ComparisonOperator, a.EvaluationPeriods)));
        Assert.All(alarms, a => Assert.Contains("arn:aws:automate:us-east-1:ec2:recover", a.AlarmActions));

        await mirror.SyncAsync(rule, AlertRules.AlarmsFor(rule, owner.AsActor(PortalOps.Domain.Common.Channel.Web), fleet.Take(1)));
        Assert.Single(await cloudWatch.DescribeAlarmsAsync(scope, namePrefix: $"portalops-{rule.Id:N}-"));
        await mirror.RemoveAsync(rule, [scope]);
        Assert.Empty(await cloudWatch.DescribeAlarmsAsync(scope, namePrefix: $"portalops-{rule.Id:N}-"));
    }

    [Fact]
    public async Task MirroredRule_OwnerScopedToATag_WritesAlarmsOnlyForInstancesInTheOwnersScope()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var mine = await MotoAws.LaunchAsync(ec2, 1, "web", new Dictionary<string, string> { ["team"] = "web" });
        await MotoAws.LaunchAsync(ec2, 1, "pay", new Dictionary<string, string> { ["team"] = "payments" });
        await using var services = Build();
        var owner = new PortalUser(Guid.NewGuid(), "wendy", "Wendy", Role.Approver, [new Scope("*", "*", "team", "web")], DateTimeOffset.UtcNow);
        var rule = new AlertRuleDraft
        {
            Name = "Status", Kind = RuleKind.StatusCheck, EvaluationPeriods = 2, DatapointsToAlarm = 2, ScopeKind = ScopeKind.Account, ScopeValue = "*",
            NotifyRole = Role.Operator, MirrorToCloudWatch = true,
            Actions = [new CorrectiveAction(PortalOps.Domain.Actions.ActionKind.RecoverInstances.Name, ActionMode.Automatic)],
        }.ToRule(Guid.NewGuid(), owner, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        var fleet = await Fleet.AllAsync(services.GetRequiredService<IInventory>());

        await services.GetRequiredService<IAlarmMirror>().SyncAsync(rule, AlertRules.AlarmsFor(rule, owner.AsActor(PortalOps.Domain.Common.Channel.Web), fleet));

        var alarms = await services.GetRequiredService<PortalOps.Jobs.Aws.Monitoring.ICloudWatchApi>()
            .DescribeAlarmsAsync(new CloudScope(MotoServer.AccountId, "us-east-1"), namePrefix: $"portalops-{rule.Id:N}-");
        var alarm = Assert.Single(alarms);
        Assert.Equal(rule.AlarmName(new InstanceRef(MotoServer.AccountId, "us-east-1", mine[0])), alarm.AlarmName);
        Assert.Contains("arn:aws:automate:us-east-1:ec2:recover", alarm.AlarmActions);
    }

    [Fact]
    public async Task ScaleOut_RaisesDesiredCapacityOnceForAKey_CappedAtTheMaximum()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        await using var services = Build();
        var autoScaling = services.GetRequiredService<PortalOps.Jobs.Aws.Scaling.IAutoScalingApi>();
        var scope = new CloudScope(MotoServer.AccountId, "us-east-1");
        var template = await ec2.CreateLaunchTemplateAsync(new Amazon.EC2.Model.CreateLaunchTemplateRequest
        {
            LaunchTemplateName = "api",
            LaunchTemplateData = new Amazon.EC2.Model.RequestLaunchTemplateData { ImageId = await MotoAws.AnyImageIdAsync(ec2), InstanceType = Amazon.EC2.InstanceType.T3Micro },
        });
        await autoScaling.CreateGroupAsync(scope, new PortalOps.Jobs.Aws.Scaling.AutoScalingGroupSpec("api", 1, 4, 1, LaunchTemplateId: template.LaunchTemplate.LaunchTemplateId, LaunchTemplateVersion: "$Latest", AvailabilityZones: ["us-east-1a"]));
        var capacity = services.GetRequiredService<IAutoScalingCapacity>();

        var first = await capacity.ScaleOutAsync(scope, "api", 2, "alert-1");
        var again = await capacity.ScaleOutAsync(scope, "api", 2, "alert-1");
        var capped = await capacity.ScaleOutAsync(scope, "api", 5, "alert-2");

        Assert.Equal((3, 3, 4), (first.Desired, again.Desired, capped.Desired));
        Assert.Equal(4, (await autoScaling.DescribeGroupsAsync(scope, ["api"]))[0].DesiredCapacity);
    }

    private ServiceProvider Build()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Aws:ServiceUrl"] = moto.Url.ToString(),
            ["Aws:Accounts:0:Id"] = MotoServer.AccountId,
            ["Aws:Accounts:0:Regions:0"] = "us-east-1",
            ["Aws:RequestTimeoutSeconds"] = "20",
            ["Monitoring:BackfillHours"] = "1",
        };
        foreach (var (k, v) in _database.Configuration)
        {
            settings[k] = v;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IFleetEvents, PortalOps.Jobs.Instances.FleetEvents>();
        Assert.True(services.AddAwsProvider(configuration));
        services.AddDomain();
        services.AddPersistence(configuration, _database.DataDirectory);
        services.AddMonitoring();
        services.AddSingleton<IActionScheduler, NoScheduler>();
        return services.BuildServiceProvider();
    }

    private async Task PutCpuAsync(string instanceId, DateTimeOffset now, double value)
    {
        var clients = TestAws.Clients(TestAws.Options(moto.Url));
        var core = new AwsProtocolClient(new HttpClient(), new AwsRetryPolicy(1));
        var endpoint = clients.Endpoint(MotoServer.AccountId, "us-east-1", AwsServiceDescriptor.CloudWatch);
        var p = new QueryParameters().Add("Namespace", "AWS/EC2").List("MetricData", Enumerable.Range(1, 25), (d, i) => d
            .Add("MetricName", "CPUUtilization").Add("Value", value).Add("Timestamp", now.AddMinutes(-i)).Add("Unit", "Percent")
            .List("Dimensions", [instanceId], (dim, id) => dim.Add("Name", "InstanceId").Add("Value", id)));
        await core.QueryAsync(endpoint, "PutMetricData", p, CancellationToken.None);
    }

    private sealed class NoScheduler : IActionScheduler
    {
        public void EnqueueApproved(Guid approvalId)
        {
        }
    }
}
