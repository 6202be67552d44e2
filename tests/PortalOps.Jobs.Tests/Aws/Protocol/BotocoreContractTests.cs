using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws.Costs;
using PortalOps.Jobs.Aws.LoadBalancing;
using PortalOps.Jobs.Aws.Monitoring;
using PortalOps.Jobs.Aws.Protocol;
using PortalOps.Jobs.Aws.Scaling;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests.Aws.Protocol;

/// <summary>
/// Every operation and parameter our own client sends exists in the official service models (botocore's),
/// required members are present, enum values are legal, and answers shaped like the models parse.
/// </summary>
[Trait("Category", "Peer")]
public sealed class BotocoreContractTests
{
    private static readonly CloudScope Scope = new(TestAws.AccountId, "us-east-1");

    [Fact]
    public async Task AutoScaling_EveryOperation_MatchesModelAndParsesModelShapedAnswers()
    {
        var (api, recorder) = Build(AwsServiceDescriptor.AutoScaling, "autoscaling", "2011-01-01", (core, clients) => new AutoScalingClient(core, clients));

        var groups = await api.DescribeGroupsAsync(Scope, ["web"]);
        Assert.Equal("12.5", groups[0].Name);
        Assert.Equal(2, groups[0].DesiredCapacity);
        Assert.Equal(2, groups[0].Instances.Count);
        Assert.NotNull(groups[0].LaunchTemplateId);
        Assert.NotEmpty(groups[0].Tags);
        await api.CreateGroupAsync(Scope, new AutoScalingGroupSpec("web", 1, 4, 2, LaunchTemplateId: "lt-1", LaunchTemplateVersion: "$Latest", AvailabilityZones: ["us-east-1a"], VpcZoneIdentifier: "subnet-1",
            TargetGroupArns: ["arn:tg"], HealthCheckType: "ELB", HealthCheckGracePeriod: 60, DefaultCooldown: 120, Tags: [new AsgTag("team", "ops")]));
        await api.UpdateGroupAsync(Scope, new AutoScalingGroupSpec("web", MinSize: 2, MaxSize: 6, DesiredCapacity: 3, LaunchConfigurationName: "lc"));
        await api.SetDesiredCapacityAsync(Scope, "web", 3, honorCooldown: true);
        var put = await api.PutPolicyAsync(Scope, ScalingPolicySpec.ForTargetTracking("web", "cpu50", new TargetTracking("ASGAverageCPUUtilization", 50, DisableScaleIn: true)));
        Assert.Equal("12.5", put.PolicyArn);
        Assert.Equal(2, put.AlarmNames.Count);
        await api.PutPolicyAsync(Scope, ScalingPolicySpec.ForSteps("web", "steps", "ChangeInCapacity", [new StepAdjustment(0, 10, 1), new StepAdjustment(10, null, 2)]) with { EstimatedInstanceWarmup = 60 });
        await api.PutPolicyAsync(Scope, new ScalingPolicySpec("web", "simple", "SimpleScaling", AdjustmentType: "ChangeInCapacity", ScalingAdjustment: 1, Cooldown: 60));
        var policies = await api.DescribePoliciesAsync(Scope, "web", ["cpu50"]);
        Assert.NotNull(policies[0].TargetTracking);
        Assert.Equal(2, policies[0].Steps.Count);
        await api.DeletePolicyAsync(Scope, "web", "cpu50");
        var activities = await api.DescribeActivitiesAsync(Scope, "web");
        Assert.Equal("12.5", activities[0].ActivityId);
        Assert.NotNull(activities[0].StartTime);
        await api.PutScheduledActionAsync(Scope, new ScheduledActionSpec("web", "night", DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), null, "0 22 * * *", 0, 2, 1, "Europe/Berlin"));
        var scheduled = await api.DescribeScheduledActionsAsync(Scope, "web");
        Assert.Equal(2, scheduled[0].MaxSize);
        await api.DeleteScheduledActionAsync(Scope, "web", "night");
        await api.SuspendProcessesAsync(Scope, "web", ["AZRebalance", "Launch"]);
        await api.ResumeProcessesAsync(Scope, "web", ["Launch"]);
        var refresh = await api.StartInstanceRefreshAsync(Scope, new InstanceRefreshSpec("web", 80, 120, SkipMatching: true));
        Assert.NotEmpty(refresh.InstanceRefreshId);
        var refreshes = await api.DescribeInstanceRefreshesAsync(Scope, "web");
        Assert.NotEmpty(refreshes[0].Status);
        Assert.NotNull(refreshes[0].PercentageComplete);
        Assert.NotNull(refreshes[0].MinHealthyPercentage);
        await api.CancelInstanceRefreshAsync(Scope, "web");
        await api.StartInstanceRefreshAsync(Scope, new InstanceRefreshSpec("web", 90)
        {
            CheckpointPercentages = [20, 50, 100],
            CheckpointDelay = 600,
            AutoRollback = true,
            DesiredLaunchTemplateId = "lt-1",
            DesiredLaunchTemplateVersion = "4",
        });
        Assert.NotEmpty(refreshes[0].CheckpointPercentages);
        Assert.NotNull(refreshes[0].DesiredLaunchTemplateVersion);
        await api.RollbackInstanceRefreshAsync(Scope, "web");
        await api.EnableMetricsCollectionAsync(Scope, "web", ["GroupDesiredCapacity", "GroupInServiceInstances"]);
        Assert.NotEmpty(groups[0].EnabledMetrics);
        await api.DeleteGroupAsync(Scope, "web", forceDelete: true);

        recorder.AssertClean(
            "StartInstanceRefresh", "DescribeInstanceRefreshes", "CancelInstanceRefresh", "RollbackInstanceRefresh", "EnableMetricsCollection",
            "SuspendProcesses", "ResumeProcesses",
            "DescribeAutoScalingGroups", "CreateAutoScalingGroup", "UpdateAutoScalingGroup", "DeleteAutoScalingGroup", "SetDesiredCapacity",
            "PutScalingPolicy", "DescribePolicies", "DeletePolicy", "DescribeScalingActivities",
            "PutScheduledUpdateGroupAction", "DescribeScheduledActions", "DeleteScheduledAction");
    }

    [Fact]
    public async Task ElbV2_EveryOperation_MatchesModelAndParsesModelShapedAnswers()
    {
        var (api, recorder) = Build(AwsServiceDescriptor.ElasticLoadBalancingV2, "elbv2", "2015-12-01", (core, clients) => new ElbV2Client(core, clients));

        var lbs = await api.DescribeLoadBalancersAsync(Scope, names: ["web"]);
        Assert.NotEmpty(lbs[0].Arn);
        Assert.Equal(2, lbs[0].AvailabilityZones.Count);
        var lb = await api.CreateLoadBalancerAsync(Scope, new LoadBalancerSpec("web", ["subnet-1", "subnet-2"], ["sg-1"], Tags: new Dictionary<string, string> { ["team"] = "ops" }));
        Assert.NotNull(lb.DnsName);
        var tgs = await api.DescribeTargetGroupsAsync(Scope, loadBalancerArn: "arn:lb");
        Assert.Equal(2, tgs[0].Port);
        await api.DescribeTargetGroupsAsync(Scope, arns: ["arn:tg"], names: ["tg"]);
        await foreach (var page in api.DescribeTargetGroupPagesAsync(Scope))
        {
            Assert.Equal(2, page[0].Port);
            break;
        }

        await api.CreateTargetGroupAsync(Scope, new TargetGroupSpec("tg", "HTTP", 80, "vpc-1", HealthCheckPath: "/health", HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 2, UnhealthyThresholdCount: 3, Matcher: "200-299"));
        var listeners = await api.DescribeListenersAsync(Scope, "arn:lb");
        Assert.Equal(2, listeners[0].DefaultActions.Count);
        await api.CreateListenerAsync(Scope, "arn:lb", "HTTPS", 443, "arn:tg", certificateArn: "arn:cert");
        await api.RegisterTargetsAsync(Scope, "arn:tg", [new Target("i-1", 80), new Target("i-2")]);
        var health = await api.DescribeTargetHealthAsync(Scope, "arn:tg", [new Target("i-1", 80)]);
        Assert.Equal("initial", health[0].State);
        await api.DeregisterTargetsAsync(Scope, "arn:tg", [new Target("i-1", 80)]);
        var attributes = await api.ModifyTargetGroupAttributesAsync(Scope, "arn:tg", new Dictionary<string, string> { ["deregistration_delay.timeout_seconds"] = "30" });
        Assert.NotEmpty(attributes);
        Assert.NotEmpty(await api.DescribeTargetGroupAttributesAsync(Scope, "arn:tg"));
        var rules = await api.DescribeRulesAsync(Scope, "arn:listener");
        Assert.Equal(2, rules[0].Actions.Count);
        await api.CreateRuleAsync(Scope, "arn:listener", 10, ["/api/*"], "arn:tg");
        var tags = await api.DescribeTagsAsync(Scope, Enumerable.Range(0, 21).Select(i => $"arn:tg{i}").ToList());
        Assert.NotEmpty(tags);
        await api.DeleteListenerAsync(Scope, "arn:listener");
        await api.DeleteTargetGroupAsync(Scope, "arn:tg");
        await api.DeleteLoadBalancerAsync(Scope, "arn:lb");

        recorder.AssertClean(
            "DescribeLoadBalancers", "CreateLoadBalancer", "DeleteLoadBalancer", "DescribeTargetGroups", "CreateTargetGroup", "DeleteTargetGroup",
            "DescribeListeners", "CreateListener", "DeleteListener", "RegisterTargets", "DeregisterTargets", "DescribeTargetHealth", "ModifyTargetGroupAttributes",
            "DescribeTargetGroupAttributes", "DescribeRules", "CreateRule", "DescribeTags");
    }

    [Fact]
    public async Task CloudWatch_EveryOperation_MatchesModelAndParsesModelShapedAnswers()
    {
        var (api, recorder) = Build(AwsServiceDescriptor.CloudWatch, "cloudwatch", "2010-08-01", (core, clients) => new CloudWatchClient(core, clients));
        var cpu = new Metric("AWS/EC2", "CPUUtilization", [new MetricDimension("InstanceId", "i-1")]);

        var series = await api.GetMetricDataAsync(Scope, [new MetricQuery("m1", cpu, "Average", 300, Label: "cpu"), new MetricQuery("e1", Expression: "m1 * 2", Period: 300)], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1));
        Assert.NotEmpty(series[0].Values);
        Assert.Equal(series[0].Values.Count, series[0].Timestamps.Count);
        var metrics = await api.ListMetricsAsync(Scope, "AWS/EC2", "CPUUtilization", [new MetricDimension("InstanceId", "i-1")]);
        Assert.Equal(2, metrics[0].Dimensions.Count);
        await api.PutMetricAlarmAsync(Scope, new MetricAlarmSpec("cpu-high", cpu, "Average", 300, 2, 80, "GreaterThanThreshold", "CPU above 80%", ["arn:sns"], ["arn:sns"], 2, "notBreaching"));
        var alarms = await api.DescribeAlarmsAsync(Scope, ["cpu-high"], stateValue: "ALARM");
        Assert.Equal(1.5, alarms[0].Threshold);
        Assert.NotNull(alarms[0].StateUpdated);
        await api.DescribeAlarmsAsync(Scope, namePrefix: "cpu");
        await api.DeleteAlarmsAsync(Scope, ["cpu-high"]);

        recorder.AssertClean("GetMetricData", "ListMetrics", "PutMetricAlarm", "DescribeAlarms", "DeleteAlarms");
    }

    [Fact]
    public async Task CostExplorer_EveryOperation_MatchesModelAndParsesModelShapedAnswers()
    {
        var (api, recorder) = Build(AwsServiceDescriptor.CostExplorer, "ce", "2017-10-25",
            (core, clients) => new CostExplorerClient(core, clients, Microsoft.Extensions.Options.Options.Create(clients.Options), new FakeTimeProvider()));
        var account = TestAws.AccountId;

        var costs = await api.GetCostAndUsageAsync(account, new DateOnly(2024, 1, 1), new DateOnly(2024, 2, 1), "MONTHLY", ["UnblendedCost"], [("DIMENSION", "SERVICE")]);
        Assert.Equal(new DateOnly(2024, 1, 1), costs[0].Start);
        Assert.Equal(12.5m, costs[0].Total["UnblendedCost"].Amount);
        Assert.Equal(2, costs[0].Groups.Count);
        var forecast = await api.GetCostForecastAsync(account, new DateOnly(2024, 2, 1), new DateOnly(2024, 3, 1));
        Assert.Equal(12.5m, forecast.Total.Amount);
        Assert.Equal(2, forecast.ByTime.Count);
        var rightsizing = await api.GetRightsizingRecommendationsAsync(account);
        Assert.Equal(12.5m, rightsizing[0].EstimatedMonthlySavings);
        Assert.Equal("12.5", rightsizing[0].CurrentType);
        var reservations = await api.GetReservationPurchaseRecommendationsAsync(account);
        Assert.Equal(8, reservations.Count); // two pages (the model-shaped answer carries a NextPageToken) × two recommendations × two details
        Assert.Equal(12.5m, reservations[0].EstimatedMonthlySavings);
        var plans = await api.GetSavingsPlansPurchaseRecommendationsAsync(account);
        Assert.Equal(12.5m, plans[0].HourlyCommitment);
        Assert.NotEmpty(await api.ListActiveCostAllocationTagsAsync(account));

        recorder.AssertClean("GetCostAndUsage", "GetCostForecast", "GetRightsizingRecommendation", "GetReservationPurchaseRecommendation", "GetSavingsPlansPurchaseRecommendation", "ListCostAllocationTags");
    }

    [Fact]
    public void Ec2DescribeInstances_InventoryRead_MatchesModelAndParsesModelShapedAnswer()
    {
        var contract = new ModelContract(BotocoreModels.Load("ec2", "2016-11-15"));
        Assert.Equal(AwsServiceDescriptor.Ec2.ApiVersion, contract.ApiVersion);
        var request = new QueryParameters().Add("MaxResults", 1000).Add("NextToken", "t").ToFormBody("DescribeInstances", AwsServiceDescriptor.Ec2.ApiVersion);
        Assert.Empty(contract.CheckQuery(request));
        Assert.Empty(contract.CheckQuery(new QueryParameters().Add("Filter.1.Name", "tag:portalops:launch-token").Add("Filter.1.Value.1", "t").ToFormBody("DescribeInstances", AwsServiceDescriptor.Ec2.ApiVersion)));
        Assert.NotEmpty(contract.CheckQuery(new QueryParameters().Add("MaxItems", 1000).ToFormBody("DescribeInstances", AwsServiceDescriptor.Ec2.ApiVersion)));

        var xml = contract.QueryResponse("DescribeInstances");
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(xml));
        var (instances, next, _) = Jobs.Aws.Instances.DescribeInstancesReader.Read(stream, TestAws.AccountId, "eu-west-1");

        Assert.Equal(4, instances.Count); // two reservations × two instances
        var i = instances[0];
        Assert.Equal("12.5", i.InstanceId);
        Assert.Equal(new InstanceRef(TestAws.AccountId, "eu-west-1", "12.5"), i.Ref);
        Assert.Equal(InstanceState.Pending, i.State); // the first value of InstanceStateName
        Assert.Equal("12.5", i.AvailabilityZone);
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), i.LaunchTime);
        Assert.Equal("12.5", i.Tags["12.5"]);
        Assert.Equal(2, i.Volumes.Count);
        Assert.Equal("12.5", i.PrivateIp);
        Assert.Equal("12.5", i.PublicIp);
        Assert.Equal("12.5", next);
    }

    [Fact]
    public async Task CostExplorer_SameQueryTwice_CallsAwsOnce()
    {
        var (api, recorder) = Build(AwsServiceDescriptor.CostExplorer, "ce", "2017-10-25",
            (core, clients) => new CostExplorerClient(core, clients, Microsoft.Extensions.Options.Options.Create(clients.Options), new FakeTimeProvider()));
        await api.GetCostForecastAsync(TestAws.AccountId, new DateOnly(2024, 2, 1), new DateOnly(2024, 3, 1));
        await api.GetCostForecastAsync(TestAws.AccountId, new DateOnly(2024, 2, 1), new DateOnly(2024, 3, 1));
        Assert.Equal(1, recorder.Count);
    }

    [Fact]
    public void CheckQuery_UnknownOrMisshapenParameters_AreReported()
    {
        var contract = new ModelContract(BotocoreModels.Load("autoscaling", "2011-01-01"));
        var problems = contract.CheckQuery("Action=SetDesiredCapacity&Version=2011-01-01&AutoScalingGroupName=a&Desired=1&AutoScalingGroupName.member.1=x");
        Assert.Contains(problems, p => p.Contains("'Desired' is not a member", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("required DesiredCapacity missing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("under scalar", StringComparison.Ordinal));
        Assert.NotEmpty(contract.CheckQuery("Action=DescribeEverything&Version=2011-01-01"));
        Assert.NotEmpty(new ModelContract(BotocoreModels.Load("ce", "2017-10-25")).CheckJson("GetCostForecast", "{\"TimePeriod\":{\"Start\":\"a\",\"End\":\"b\"},\"Metric\":\"NOT_A_METRIC\",\"Granularity\":\"MONTHLY\"}"));
    }

    private static (T Api, Recorder Recorder) Build<T>(AwsServiceDescriptor service, string model, string version, Func<AwsProtocolClient, Jobs.Aws.AwsClients, T> make)
    {
        var contract = new ModelContract(BotocoreModels.Load(model, version));
        Assert.Equal(service.ApiVersion, contract.ApiVersion);
        var recorder = new Recorder(service, contract);
        var clients = TestAws.Clients(TestAws.Options(new Uri("http://127.0.0.1:9/")));
        var core = new AwsProtocolClient(new HttpClient(recorder), new AwsRetryPolicy(1));
        return (make(core, clients), recorder);
    }

    /// <summary>Answers every call with a model-shaped response and remembers what was wrong with the request.</summary>
    private sealed class Recorder(AwsServiceDescriptor service, ModelContract contract) : HttpMessageHandler
    {
        private readonly List<string> problems = [];
        private readonly HashSet<string> operations = [];

        public int Count { get; private set; }

        public void AssertClean(params string[] expectedOperations)
        {
            Assert.Empty(problems);
            Assert.Empty(expectedOperations.Except(operations));
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Count++;
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            if (!request.Headers.Contains("Authorization") || !request.Headers.GetValues("Authorization").Single().StartsWith("AWS4-HMAC-SHA256 Credential=testing/", StringComparison.Ordinal))
            {
                problems.Add("request is not signed with SigV4");
            }

            string operation;
            string answer;
            if (service.Protocol == AwsProtocol.Json11)
            {
                var target = request.Headers.GetValues("X-Amz-Target").Single();
                Assert.StartsWith(contract.TargetPrefix + ".", target, StringComparison.Ordinal);
                Assert.Equal("application/x-amz-json-1.1", request.Content.Headers.ContentType!.MediaType);
                operation = target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..];
                problems.AddRange(contract.CheckJson(operation, body));
                answer = contract.JsonResponse(operation);
            }
            else
            {
                operation = System.Web.HttpUtility.ParseQueryString(body)["Action"] ?? "";
                problems.AddRange(contract.CheckQuery(body));
                answer = contract.QueryResponse(operation);
            }

            operations.Add(operation);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer, Encoding.UTF8, service.Protocol == AwsProtocol.Json11 ? "application/x-amz-json-1.1" : "text/xml") };
        }
    }
}
