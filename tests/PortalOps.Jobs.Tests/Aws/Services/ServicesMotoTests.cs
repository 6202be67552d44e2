using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Patching;
using PortalOps.Jobs.Aws.Costs;
using PortalOps.Jobs.Aws.LoadBalancing;
using PortalOps.Jobs.Aws.Monitoring;
using PortalOps.Jobs.Aws.Protocol;
using PortalOps.Jobs.Aws.Scaling;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests.Aws.Services;

/// <summary>Our own AutoScaling, ELBv2, CloudWatch and Cost Explorer client, and the SSM adapter, against moto.</summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class ServicesMotoTests(MotoServer moto) : IAsyncLifetime
{
    private static readonly CloudScope Scope = new(MotoServer.AccountId, "us-east-1");

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task AutoScaling_CreateScalePoliciesAndSchedules_RoundTrip()
    {
        await using var services = MotoAws.Provider(moto.Url);
        var asg = services.GetRequiredService<IAutoScalingApi>();
        using var ec2 = MotoAws.Ec2(moto.Url);
        var template = await ec2.CreateLaunchTemplateAsync(new CreateLaunchTemplateRequest
        {
            LaunchTemplateName = "web",
            LaunchTemplateData = new RequestLaunchTemplateData { ImageId = await MotoAws.AnyImageIdAsync(ec2), InstanceType = Amazon.EC2.InstanceType.T3Micro },
        });

        await asg.CreateGroupAsync(Scope, new AutoScalingGroupSpec("web", 1, 4, 2, LaunchTemplateId: template.LaunchTemplate.LaunchTemplateId, LaunchTemplateVersion: "$Latest",
            AvailabilityZones: ["us-east-1a"], Tags: [new AsgTag("team", "ops")]));
        var group = Assert.Single(await asg.DescribeGroupsAsync(Scope, ["web"]));
        Assert.Equal((1, 4, 2), (group.MinSize, group.MaxSize, group.DesiredCapacity));
        Assert.Equal(2, group.Instances.Count);
        Assert.Contains(group.Tags, t => t.Key == "team");

        await asg.SetDesiredCapacityAsync(Scope, "web", 3, honorCooldown: false);
        Assert.Equal(3, (await asg.DescribeGroupsAsync(Scope, ["web"]))[0].DesiredCapacity);
        await asg.UpdateGroupAsync(Scope, new AutoScalingGroupSpec("web", MaxSize: 6));
        Assert.Equal(6, (await asg.DescribeGroupsAsync(Scope, ["web"]))[0].MaxSize);
        Assert.NotNull(await asg.DescribeActivitiesAsync(Scope, "web")); // moto answers with no activities; the shape is covered by the botocore contract test

        var tracking = await asg.PutPolicyAsync(Scope, ScalingPolicySpec.ForTargetTracking("web", "cpu50", new TargetTracking("ASGAverageCPUUtilization", 50)));
        Assert.False(string.IsNullOrEmpty(tracking.RequestId)); // moto 5.2.1 leaves PolicyARN out of this answer; DescribePolicies below carries it
        await asg.PutPolicyAsync(Scope, ScalingPolicySpec.ForSteps("web", "steps", "ChangeInCapacity", [new StepAdjustment(0, 20, 1), new StepAdjustment(20, null, 2)]));
        var policies = await asg.DescribePoliciesAsync(Scope, "web");
        Assert.Equal(50, policies.Single(p => p.PolicyName == "cpu50").TargetTracking!.TargetValue);
        Assert.StartsWith("arn:aws:autoscaling:", policies.Single(p => p.PolicyName == "cpu50").PolicyArn, StringComparison.Ordinal);
        Assert.Equal(2, policies.Single(p => p.PolicyName == "steps").Steps.Count);
        await asg.DeletePolicyAsync(Scope, "web", "cpu50");
        Assert.DoesNotContain(await asg.DescribePoliciesAsync(Scope, "web"), p => p.PolicyName == "cpu50");

        await asg.PutScheduledActionAsync(Scope, new ScheduledActionSpec("web", "night", Recurrence: "0 22 * * *", MinSize: 0, MaxSize: 2, DesiredCapacity: 1));
        var scheduled = Assert.Single(await asg.DescribeScheduledActionsAsync(Scope, "web"));
        Assert.Equal("0 22 * * *", scheduled.Recurrence);
        await asg.DeleteScheduledActionAsync(Scope, "web", "night");
        Assert.Empty(await asg.DescribeScheduledActionsAsync(Scope, "web"));

        await asg.DeleteGroupAsync(Scope, "web", forceDelete: true);
        Assert.Empty(await asg.DescribeGroupsAsync(Scope, ["web"]));
    }

    [Fact]
    public async Task AutoScaling_UnknownGroupUpdate_RaisesTypedErrorWithCodeAndRequestId()
    {
        await using var services = MotoAws.Provider(moto.Url);
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => services.GetRequiredService<IAutoScalingApi>().SetDesiredCapacityAsync(Scope, "nope", 1, false));
        Assert.Equal("AutoScaling", error.Service);
        Assert.Equal("SetDesiredCapacity", error.Operation);
        Assert.False(string.IsNullOrEmpty(error.ErrorCode));
    }

    [Fact]
    public async Task ElbV2_LoadBalancerTargetGroupListenerTargetsAndHealth_RoundTrip()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var ids = await MotoAws.LaunchAsync(ec2, 2, "web");
        await using var services = MotoAws.Provider(moto.Url);
        var elb = services.GetRequiredService<IElbV2Api>();
        var subnets = (await services.GetRequiredService<ICloudResources>().SubnetsAsync(Scope)).GroupBy(s => s.AvailabilityZone).Select(g => g.First()).Take(2).ToList();

        var lb = await elb.CreateLoadBalancerAsync(Scope, new LoadBalancerSpec("web", subnets.Select(s => s.SubnetId).ToList()));
        Assert.StartsWith("arn:aws:elasticloadbalancing:", lb.Arn, StringComparison.Ordinal);
        Assert.Single(await elb.DescribeLoadBalancersAsync(Scope, names: ["web"]));
        var tg = await elb.CreateTargetGroupAsync(Scope, new TargetGroupSpec("web-tg", "HTTP", 80, subnets[0].VpcId, HealthCheckPath: "/health"));
        Assert.Equal("/health", tg.HealthCheckPath);
        var listener = await elb.CreateListenerAsync(Scope, lb.Arn, "HTTP", 80, tg.Arn);
        Assert.Equal(tg.Arn, Assert.Single(listener.DefaultActions).TargetGroupArn);
        Assert.Single(await elb.DescribeListenersAsync(Scope, lb.Arn));
        Assert.Single(await elb.DescribeTargetGroupsAsync(Scope, loadBalancerArn: lb.Arn));

        await elb.RegisterTargetsAsync(Scope, tg.Arn, ids.Select(i => new Target(i, 80)).ToList());
        var health = await elb.DescribeTargetHealthAsync(Scope, tg.Arn);
        Assert.Equal(ids.Order(), health.Select(h => h.Target.Id).Order());
        await elb.DeregisterTargetsAsync(Scope, tg.Arn, [new Target(ids[0], 80)]);
        Assert.DoesNotContain(await elb.DescribeTargetHealthAsync(Scope, tg.Arn), h => h.Target.Id == ids[0] && h.State != "draining" && h.State != "unused");

        var attributes = await elb.ModifyTargetGroupAttributesAsync(Scope, tg.Arn, new Dictionary<string, string> { ["deregistration_delay.timeout_seconds"] = "30" });
        Assert.Equal("30", attributes["deregistration_delay.timeout_seconds"]);

        await elb.DeleteListenerAsync(Scope, listener.Arn);
        await elb.DeleteLoadBalancerAsync(Scope, lb.Arn);
        await elb.DeleteTargetGroupAsync(Scope, tg.Arn);
        Assert.Empty(await elb.DescribeLoadBalancersAsync(Scope));
    }

    [Fact]
    public async Task CloudWatch_MetricDataInBatchesAndAlarms_RoundTrip()
    {
        await using var services = MotoAws.Provider(moto.Url);
        var cw = services.GetRequiredService<ICloudWatchApi>();
        var core = services.GetRequiredService<AwsProtocolClient>();
        var now = DateTimeOffset.UtcNow;
        await PutMetricDataAsync(now, 3);

        var metrics = await cw.ListMetricsAsync(Scope, "PortalOps/Test");
        Assert.Equal(3, metrics.Count);
        var queries = Enumerable.Range(0, 1200).Select(i => new MetricQuery($"q{i}", metrics[i % 3], "Sum", 60)).ToList();
        var before = core.Calls;
        var series = await cw.GetMetricDataAsync(Scope, queries, now.AddMinutes(-10), now.AddMinutes(5));
        Assert.True(3 == core.Calls - before, moto.Log);
        Assert.Equal(1200, series.Count);
        Assert.Contains(series, s => s.Values.Count > 0);

        var alarm = new MetricAlarmSpec("cpu-high", metrics[0], "Average", 60, 2, 80, "GreaterThanThreshold", "CPU above 80%");
        await cw.PutMetricAlarmAsync(Scope, alarm);
        var alarms = await cw.DescribeAlarmsAsync(Scope, ["cpu-high"]);
        Assert.Equal(80, Assert.Single(alarms).Threshold);
        await cw.DeleteAlarmsAsync(Scope, ["cpu-high"]);
        Assert.Empty(await cw.DescribeAlarmsAsync(Scope, namePrefix: "cpu"));
    }

    [Fact]
    public async Task CostExplorer_SeededThroughMoto_IsReadAndCached()
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
                            Total = new Dictionary<string, object> { ["UnblendedCost"] = new { Amount = "1234.56", Unit = "USD" } },
                            Groups = Array.Empty<object>(),
                            Estimated = false,
                        },
                    },
                },
            },
        };
        using (var response = await moto.Http.PostAsync(new Uri(moto.Url, "moto-api/static/ce/cost-and-usage-results"), new StringContent(System.Text.Json.JsonSerializer.Serialize(seed), System.Text.Encoding.UTF8, "application/json")))
        {
            response.EnsureSuccessStatusCode();
        }

        await using var services = MotoAws.Provider(moto.Url);
        var ce = services.GetRequiredService<ICostExplorerApi>();
        var core = services.GetRequiredService<AwsProtocolClient>();
        var before = core.Calls;
        var costs = await ce.GetCostAndUsageAsync(MotoServer.AccountId, new DateOnly(2024, 1, 1), new DateOnly(2024, 2, 1), "MONTHLY", ["UnblendedCost"]);
        var again = await ce.GetCostAndUsageAsync(MotoServer.AccountId, new DateOnly(2024, 1, 1), new DateOnly(2024, 2, 1), "MONTHLY", ["UnblendedCost"]);
        Assert.Equal(1234.56m, Assert.Single(costs).Total["UnblendedCost"].Amount);
        Assert.Same(costs, again);
        Assert.Equal(1, core.Calls - before);
    }

    [Fact]
    public async Task Ssm_SendCommandThroughMoto_AndStubbedPatchStates_AreRead()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var ids = await MotoAws.LaunchAsync(ec2, 2, "app");
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        var stub = new SsmPatchingStub();
        stub.InstanceIds.AddRange(ids);
        stub.Install(proxy);
        await using var services = MotoAws.Provider(proxy.Url);
        var ssm = services.GetRequiredService<IRemoteCommands>();

        var (commandId, requestId) = await ssm.SendAsync(Scope, ids, "AWS-RunShellScript", new Dictionary<string, IReadOnlyList<string>> { ["commands"] = ["uptime"] }, "check uptime");
        Assert.False(string.IsNullOrEmpty(commandId));
        Assert.False(string.IsNullOrEmpty(requestId));
        var invocations = await ssm.InvocationsAsync(Scope, commandId);
        Assert.Equal(ids.Order(), invocations.Select(i => i.InstanceId).Order());

        var managed = await ssm.ManagedInstancesAsync(Scope);
        Assert.Equal(ids.Order(), managed.Select(m => m.InstanceId).Order());
        Assert.All(managed, m => Assert.Equal("Online", m.PingStatus));
        var patches = await ssm.PatchStatesAsync(Scope, ids);
        Assert.Equal(2, patches.Count);
        Assert.All(patches, p => Assert.Equal(3, p.Missing));
    }

    private async Task PutMetricDataAsync(DateTimeOffset now, int metrics)
    {
        // Another client puts data points (moto's CloudWatch speaks the Query protocol too).
        var clients = TestAws.Clients(TestAws.Options(moto.Url));
        var core = new AwsProtocolClient(new HttpClient(), new AwsRetryPolicy(1));
        var endpoint = clients.Endpoint(MotoServer.AccountId, "us-east-1", AwsServiceDescriptor.CloudWatch);
        for (var m = 0; m < metrics; m++)
        {
            var p = new QueryParameters().Add("Namespace", "PortalOps/Test").List("MetricData", Enumerable.Range(0, 5), (d, i) => d
                .Add("MetricName", $"m{m}").Add("Value", (double)(i + 1)).Add("Timestamp", now.AddMinutes(-i)).Add("Unit", "Count"));
            await core.QueryAsync(endpoint, "PutMetricData", p, CancellationToken.None);
        }
    }
}
