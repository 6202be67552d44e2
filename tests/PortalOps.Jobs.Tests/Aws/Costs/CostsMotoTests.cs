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
using PortalOps.Domain.Security;
using PortalOps.Jobs.Aws;
using PortalOps.Jobs.Aws.Protocol;
using PortalOps.Jobs.Costs;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Aws.Support;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Aws.Costs;

/// <summary>Spend, utilization and applying recommendations against moto (and the Cost Explorer stub for what moto lacks).</summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class CostsMotoTests(MotoServer moto) : IAsyncLifetime
{
    private static readonly CloudScope East = new(MotoServer.AccountId, "us-east-1");
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
    public async Task Spend_SeededCostExplorer_IsGroupedByService_AndARepeatedQuestionCostsNoCall()
    {
        await SeedCostAndUsageAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 2, 10, 8, 0, 0, TimeSpan.Zero));
        await using var services = MotoAws.Provider(moto.Url, clock, new Dictionary<string, string?> { ["Aws:CostCacheMinutes"] = "60" });
        var spend = services.GetRequiredService<ISpendSource>();
        var core = services.GetRequiredService<AwsProtocolClient>();
        var query = new SpendQuery(new DateOnly(2024, 1, 1), new DateOnly(2024, 2, 1), SpendGranularity.Monthly, SpendDimension.Service, [MotoServer.AccountId]);

        var before = core.Calls;
        var first = await spend.GetAsync(query);
        clock.Advance(TimeSpan.FromMinutes(59));
        var again = await spend.GetAsync(query with { Accounts = [MotoServer.AccountId] });

        Assert.Equal(1, core.Calls - before);
        Assert.Equal(first.AsOf, again.AsOf); // the page shows the answer's age: 59 minutes
        Assert.Equal(TimeSpan.FromMinutes(59), clock.GetUtcNow() - again.AsOf);
        Assert.Equal(
            [("Amazon Elastic Compute Cloud - Compute", 812.40m), ("Amazon Simple Storage Service", 95.10m)],
            first.ByGroup());

        clock.Advance(TimeSpan.FromMinutes(2));
        var fresh = await spend.GetAsync(query);
        Assert.Equal(2, core.Calls - before);
        Assert.Equal(clock.GetUtcNow(), fresh.AsOf);
    }

    [Fact]
    public async Task Overview_ForecastAndCostAllocationTags_FromTheStub_AndATagThatIsNotActiveIsRefusedBeforeAnyCostCall()
    {
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        var stub = new CostExplorerStub { MonthlyMean = 1000m };
        stub.Install(proxy);
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 2, 10, 8, 0, 0, TimeSpan.Zero));
        await using var services = MotoAws.Provider(proxy.Url, clock, null);
        var overview = new CostOverview(services.GetRequiredService<ISpendSource>(), clock);

        var summary = await overview.SummaryAsync([MotoServer.AccountId]);
        await overview.SummaryAsync([MotoServer.AccountId]);

        Assert.Equal(3, summary.Forecast.Months.Count); // rest of February, March, April
        Assert.Equal(new DateOnly(2024, 4, 1), summary.Forecast.Months[^1].Month);
        Assert.Equal(3000m, summary.Forecast.Total);
        Assert.Equal(900m, summary.Forecast.Months[0].Low);
        Assert.Equal(1, stub.ForecastCalls); // the second summary came from the cache

        var costCalls = proxy.CallsTo("GetCostAndUsage");
        var refused = await Assert.ThrowsAsync<CostRuleException>(() => overview.SpendAsync(
            new SpendQuery(new DateOnly(2024, 2, 1), new DateOnly(2024, 2, 10), SpendGranularity.Daily, SpendDimension.Tag, [], "owner"), [MotoServer.AccountId]));
        Assert.Contains("'owner' is not an active cost-allocation tag (active: env, team)", refused.Message, StringComparison.Ordinal);
        Assert.Equal(costCalls, proxy.CallsTo("GetCostAndUsage"));

        var byTeam = await overview.SpendAsync(new SpendQuery(new DateOnly(2024, 2, 1), new DateOnly(2024, 2, 10), SpendGranularity.Daily, SpendDimension.Tag, [], "team"), [MotoServer.AccountId]);
        Assert.Equal(costCalls + 1, proxy.CallsTo("GetCostAndUsage"));
        Assert.Equal([MotoServer.AccountId], byTeam.Query.Accounts);
    }

    [Fact]
    public async Task Utilization_HourlyCpuAndNetwork_LandInTheirHours_InOneCall()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var ids = await MotoAws.LaunchAsync(ec2, 2, "app");
        var to = new DateTimeOffset(DateTimeOffset.UtcNow.Year, DateTimeOffset.UtcNow.Month, DateTimeOffset.UtcNow.Day, DateTimeOffset.UtcNow.Hour, 0, 0, TimeSpan.Zero);
        var from = to.AddHours(-3);
        await PutAsync(ids[0], "CPUUtilization", from.AddMinutes(10), [10, 30]);
        await PutAsync(ids[0], "CPUUtilization", from.AddHours(2).AddMinutes(5), [4]);
        await PutAsync(ids[1], "NetworkIn", from.AddHours(1).AddMinutes(1), [1000, 500]);
        await using var services = MotoAws.Provider(moto.Url);
        var source = services.GetRequiredService<IUtilizationSource>();

        var fetch = await source.FetchAsync(ids.Select(i => new InstanceRef(MotoServer.AccountId, "us-east-1", i)).ToList(), from, to);

        Assert.Empty(fetch.Errors);
        Assert.Equal(1, fetch.Calls);
        var first = fetch.Series[new InstanceRef(MotoServer.AccountId, "us-east-1", ids[0])];
        Assert.Equal(20, first.CpuAverage[0]);
        Assert.Equal(30, first.CpuMaximum[0]);
        Assert.True(double.IsNaN(first.CpuAverage[1]));
        Assert.Equal(4, first.CpuAverage[2]);
        Assert.Null(first.Memory); // no CloudWatch agent metric
        Assert.Equal(1500, fetch.Series[new InstanceRef(MotoServer.AccountId, "us-east-1", ids[1])].NetworkIn[1]);
    }

    [Fact]
    public async Task ApplyResize_ThroughAnApproval_EndsWithTheNewTypeAndTheInstanceRunning()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var id = await LaunchAsync(ec2, InstanceType.T3Medium);
        await using var services = Build();
        await Builders.AddPeopleAsync(services.GetRequiredService<IUserStore>());
        var store = services.GetRequiredService<ICostRecommendationStore>();
        var target = new InstanceRef(MotoServer.AccountId, "us-east-1", id);
        await SaveAsync(store, new Recommendation(RecommendationKind.Rightsize, target, "app-000", new Dictionary<string, string>(), "t3.medium", "t3.small", 15.18m, Confidence.Medium, ["CPU p95 6 %"]));

        await using var scope = services.CreateAsyncScope();
        var recommendations = scope.ServiceProvider.GetRequiredService<CostRecommendations>();
        var pipeline = scope.ServiceProvider.GetRequiredService<ActionPipeline>();
        var asked = await recommendations.ApplyAsync(Builders.Requester, Recommendation.KeyOf(RecommendationKind.Rightsize, target));
        Assert.Equal(ActionStatus.PendingApproval, asked.Status);
        Assert.Equal("t3.medium", await TypeAsync(ec2, id)); // nothing happens before the approval
        var approved = await pipeline.ApproveAsync(Builders.Approver, asked.ApprovalId!.Value, "fine");
        Assert.Equal(ActionStatus.Decided, approved.Status);
        var done = await pipeline.ExecuteApprovedAsync(asked.ApprovalId!.Value);

        Assert.Equal(ActionStatus.Executed, done.Status);
        Assert.Equal("t3.small", await TypeAsync(ec2, id));
        Assert.Equal("running", await StateAsync(ec2, id));
        Assert.Equal(ApprovalStatus.Executed, (await services.GetRequiredService<IApprovalStore>().FindAsync(asked.ApprovalId!.Value))!.Status);
        Assert.NotNull((await store.FindAsync(Recommendation.KeyOf(RecommendationKind.Rightsize, target)))!.AppliedAt);
    }

    [Fact]
    public async Task Resize_ToATypeOfAnotherArchitecture_IsRefusedBeforeAnythingChanges()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var id = await LaunchAsync(ec2, InstanceType.T3Medium);
        await using var services = Build();
        await Builders.AddPeopleAsync(services.GetRequiredService<IUserStore>());
        var store = services.GetRequiredService<ICostRecommendationStore>();
        var target = new InstanceRef(MotoServer.AccountId, "us-east-1", id);
        await SaveAsync(store, new Recommendation(RecommendationKind.Rightsize, target, "app-000", new Dictionary<string, string>(), "t3.medium", "t4g.small", 18m, Confidence.Low, ["bad"]));
        await using var scope = services.CreateAsyncScope();

        var viaRecommendation = await scope.ServiceProvider.GetRequiredService<CostRecommendations>().ApplyAsync(Builders.Requester, Recommendation.KeyOf(RecommendationKind.Rightsize, target));
        var direct = await scope.ServiceProvider.GetRequiredService<ActionPipeline>().SubmitAsync(Builders.Requester,
            new ActionRequest(ActionKind.ResizeInstances, [target], "try") { Parameters = new Dictionary<string, string> { [ResizeParameters.InstanceType] = "t4g.small" } });

        Assert.Equal(ActionStatus.Refused, viaRecommendation.Status);
        Assert.Contains("t4g.small is arm64 but app-000 runs an x86_64 image", viaRecommendation.Message, StringComparison.Ordinal);
        Assert.False(direct.IsSuccess && direct.Status == ActionStatus.Executed);
        Assert.Contains("arm64", direct.Message, StringComparison.Ordinal);
        Assert.Equal("t3.medium", await TypeAsync(ec2, id));
        Assert.Equal("running", await StateAsync(ec2, id));
    }

    private ServiceProvider Build()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(_database!.Configuration)
        {
            ["Aws:ServiceUrl"] = moto.Url.ToString(),
            ["Aws:Accounts:0:Id"] = MotoServer.AccountId,
            ["Aws:Accounts:0:Regions:0"] = "us-east-1",
            ["Aws:RequestTimeoutSeconds"] = "20",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IFleetEvents, PortalOps.Jobs.Instances.FleetEvents>();
        Assert.True(services.AddAwsProvider(configuration));
        services.AddDomain();
        services.AddPersistence(configuration, _database.DataDirectory);
        services.AddProvisioningActions();
        services.AddCosts();
        services.AddSingleton<IActionScheduler, NoScheduler>();
        return services.BuildServiceProvider();
    }

    private static Task SaveAsync(ICostRecommendationStore store, Recommendation r) =>
        store.ReplaceAsync(new CostScanRecord(DateOnly.FromDateTime(DateTime.UtcNow), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 1, 1, r.MonthlySaving, 0, []), [r]);

    private static async Task<string> LaunchAsync(IAmazonEC2 ec2, InstanceType type)
    {
        var run = await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = await MotoAws.AnyImageIdAsync(ec2), InstanceType = type, MinCount = 1, MaxCount = 1, Placement = new Amazon.EC2.Model.Placement { AvailabilityZone = "us-east-1a" },
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Tag("Name", "app-000")] }],
        });
        return run.Reservation.Instances[0].InstanceId;
    }

    private static async Task<Amazon.EC2.Model.Instance> DescribeAsync(IAmazonEC2 ec2, string id) =>
        (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [id] })).Reservations[0].Instances[0];

    private static async Task<string> TypeAsync(IAmazonEC2 ec2, string id) => (await DescribeAsync(ec2, id)).InstanceType.Value;

    private static async Task<string> StateAsync(IAmazonEC2 ec2, string id) => (await DescribeAsync(ec2, id)).State.Name.Value;

    private async Task SeedCostAndUsageAsync()
    {
        var seed = new
        {
            results = new[]
            {
                new
                {
                    ResultsByTime = new[]
                    {
                        new
                        {
                            TimePeriod = new { Start = "2024-01-01", End = "2024-02-01" },
                            Total = new Dictionary<string, object>(),
                            Groups = new[]
                            {
                                new { Keys = new[] { "Amazon Elastic Compute Cloud - Compute" }, Metrics = new Dictionary<string, object> { ["UnblendedCost"] = new { Amount = "812.40", Unit = "USD" } } },
                                new { Keys = new[] { "Amazon Simple Storage Service" }, Metrics = new Dictionary<string, object> { ["UnblendedCost"] = new { Amount = "95.10", Unit = "USD" } } },
                            },
                            Estimated = false,
                        },
                    },
                },
            },
        };
        using var response = await moto.Http.PostAsync(new Uri(moto.Url, "moto-api/static/ce/cost-and-usage-results"),
            new StringContent(System.Text.Json.JsonSerializer.Serialize(seed), System.Text.Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    private async Task PutAsync(string instanceId, string metric, DateTimeOffset at, double[] values)
    {
        var clients = TestAws.Clients(TestAws.Options(moto.Url));
        var core = new AwsProtocolClient(new HttpClient(), new AwsRetryPolicy(1));
        var endpoint = clients.Endpoint(MotoServer.AccountId, "us-east-1", AwsServiceDescriptor.CloudWatch);
        var p = new QueryParameters().Add("Namespace", "AWS/EC2").List("MetricData", Enumerable.Range(0, values.Length), (d, i) => d
            .Add("MetricName", metric).Add("Value", values[i]).Add("Timestamp", at.AddMinutes(i * 5))
            .List("Dimensions", [instanceId], (dim, x) => dim.Add("Name", "InstanceId").Add("Value", x)));
        await core.QueryAsync(endpoint, "PutMetricData", p, CancellationToken.None);
    }

    private sealed class NoScheduler : IActionScheduler
    {
        public void EnqueueApproved(Guid approvalId)
        {
        }
    }
}
