using System.Xml.Linq;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws.Protocol;

namespace PortalOps.Jobs.Aws.Scaling;

/// <summary>EC2 Auto Scaling. Written against the Query API; the official package can replace it behind this interface.</summary>
public interface IAutoScalingApi
{
    Task<IReadOnlyList<AutoScalingGroup>> DescribeGroupsAsync(CloudScope scope, IReadOnlyList<string>? names = null, CancellationToken ct = default);

    Task<string?> CreateGroupAsync(CloudScope scope, AutoScalingGroupSpec spec, CancellationToken ct = default);

    Task<string?> UpdateGroupAsync(CloudScope scope, AutoScalingGroupSpec spec, CancellationToken ct = default);

    Task<string?> DeleteGroupAsync(CloudScope scope, string name, bool forceDelete, CancellationToken ct = default);

    Task<string?> SetDesiredCapacityAsync(CloudScope scope, string name, int desired, bool honorCooldown, CancellationToken ct = default);

    Task<PutPolicyResult> PutPolicyAsync(CloudScope scope, ScalingPolicySpec spec, CancellationToken ct = default);

    Task<IReadOnlyList<ScalingPolicy>> DescribePoliciesAsync(CloudScope scope, string? groupName = null, IReadOnlyList<string>? policyNames = null, CancellationToken ct = default);

    Task<string?> DeletePolicyAsync(CloudScope scope, string groupName, string policyName, CancellationToken ct = default);

    Task<IReadOnlyList<ScalingActivity>> DescribeActivitiesAsync(CloudScope scope, string groupName, int maxRecords = 100, CancellationToken ct = default);

    Task<string?> PutScheduledActionAsync(CloudScope scope, ScheduledActionSpec spec, CancellationToken ct = default);

    Task<IReadOnlyList<ScheduledAction>> DescribeScheduledActionsAsync(CloudScope scope, string groupName, CancellationToken ct = default);

    Task<string?> DeleteScheduledActionAsync(CloudScope scope, string groupName, string name, CancellationToken ct = default);

    /// <summary>Suspends the named processes (all of them when none are named).</summary>
    Task<string?> SuspendProcessesAsync(CloudScope scope, string groupName, IReadOnlyList<string>? processes, CancellationToken ct = default);

    Task<string?> ResumeProcessesAsync(CloudScope scope, string groupName, IReadOnlyList<string>? processes, CancellationToken ct = default);

    /// <summary>Starts a rolling instance refresh (Strategy Rolling) with the given preferences.</summary>
    Task<StartInstanceRefreshResult> StartInstanceRefreshAsync(CloudScope scope, InstanceRefreshSpec spec, CancellationToken ct = default);

    /// <summary>The group's instance refreshes, newest first as Auto Scaling lists them (up to <paramref name="maxRecords"/>).</summary>
    Task<IReadOnlyList<AsgInstanceRefresh>> DescribeInstanceRefreshesAsync(CloudScope scope, string groupName, int maxRecords = 50, CancellationToken ct = default);

    Task<string?> CancelInstanceRefreshAsync(CloudScope scope, string groupName, CancellationToken ct = default);

    /// <summary>Rolls the group's running instance refresh back (RollbackInstanceRefresh); returns the request id.</summary>
    Task<string?> RollbackInstanceRefreshAsync(CloudScope scope, string groupName, CancellationToken ct = default);

    /// <summary>EnableMetricsCollection for the named group metrics (all of them when none are named) at <paramref name="granularity"/>.</summary>
    Task<string?> EnableMetricsCollectionAsync(CloudScope scope, string groupName, IReadOnlyList<string>? metrics, string granularity = "1Minute", CancellationToken ct = default);
}

public sealed class AutoScalingClient(AwsProtocolClient core, AwsClients clients) : IAutoScalingApi
{
    private Task<AwsResponse<XElement>> Call(CloudScope scope, string action, QueryParameters p, CancellationToken ct) =>
        core.QueryAsync(clients.Endpoint(scope.AccountId, scope.Region, AwsServiceDescriptor.AutoScaling), action, p, ct);

    public async Task<IReadOnlyList<AutoScalingGroup>> DescribeGroupsAsync(CloudScope scope, IReadOnlyList<string>? names = null, CancellationToken ct = default) =>
        await AwsProtocolClient.PaginateAsync<AutoScalingGroup>(async token =>
        {
            var r = await Call(scope, "DescribeAutoScalingGroups", new QueryParameters().List("AutoScalingGroupNames", names).Add("MaxRecords", 100).Add("NextToken", token), ct).ConfigureAwait(false);
            return (r.Body.Members("AutoScalingGroups").Select(ParseGroup), r.Body.Str("NextToken"));
        }).ConfigureAwait(false);

    public async Task<string?> CreateGroupAsync(CloudScope scope, AutoScalingGroupSpec spec, CancellationToken ct = default) =>
        (await Call(scope, "CreateAutoScalingGroup", GroupParameters(spec, create: true), ct).ConfigureAwait(false)).RequestId;

    public async Task<string?> UpdateGroupAsync(CloudScope scope, AutoScalingGroupSpec spec, CancellationToken ct = default) =>
        (await Call(scope, "UpdateAutoScalingGroup", GroupParameters(spec, create: false), ct).ConfigureAwait(false)).RequestId;

    public async Task<string?> DeleteGroupAsync(CloudScope scope, string name, bool forceDelete, CancellationToken ct = default) =>
        (await Call(scope, "DeleteAutoScalingGroup", new QueryParameters().Add("AutoScalingGroupName", name).Add("ForceDelete", forceDelete), ct).ConfigureAwait(false)).RequestId;

    public async Task<string?> SetDesiredCapacityAsync(CloudScope scope, string name, int desired, bool honorCooldown, CancellationToken ct = default) =>
        (await Call(scope, "SetDesiredCapacity", new QueryParameters().Add("AutoScalingGroupName", name).Add("DesiredCapacity", desired).Add("HonorCooldown", honorCooldown), ct).ConfigureAwait(false)).RequestId;

    public async Task<PutPolicyResult> PutPolicyAsync(CloudScope scope, ScalingPolicySpec spec, CancellationToken ct = default)
    {
        var p = new QueryParameters()
            .Add("AutoScalingGroupName", spec.GroupName)
            .Add("PolicyName", spec.PolicyName)
            .Add("PolicyType", spec.PolicyType)
            .Add("AdjustmentType", spec.AdjustmentType)
            .Add("ScalingAdjustment", spec.ScalingAdjustment)
            .Add("Cooldown", spec.Cooldown)
            .Add("MetricAggregationType", spec.MetricAggregationType)
            .Add("EstimatedInstanceWarmup", spec.EstimatedInstanceWarmup)
            .List("StepAdjustments", spec.Steps, (s, step) => s
                .Add("MetricIntervalLowerBound", step.LowerBound)
                .Add("MetricIntervalUpperBound", step.UpperBound)
                .Add("ScalingAdjustment", step.ScalingAdjustment));
        if (spec.TargetTracking is { } tt)
        {
            p.Struct("TargetTrackingConfiguration", c => c
                .Struct("PredefinedMetricSpecification", m => m.Add("PredefinedMetricType", tt.PredefinedMetricType).Add("ResourceLabel", tt.ResourceLabel))
                .Add("TargetValue", tt.TargetValue)
                .Add("DisableScaleIn", tt.DisableScaleIn));
        }

        var r = await Call(scope, "PutScalingPolicy", p, ct).ConfigureAwait(false);
        return new PutPolicyResult(r.Body.Str("PolicyARN") ?? r.Body.Str("PolicyArn") ?? "", r.Body.Members("Alarms").Select(a => a.Str("AlarmName") ?? "").ToList(), r.RequestId);
    }

    public async Task<IReadOnlyList<ScalingPolicy>> DescribePoliciesAsync(CloudScope scope, string? groupName = null, IReadOnlyList<string>? policyNames = null, CancellationToken ct = default) =>
        await AwsProtocolClient.PaginateAsync<ScalingPolicy>(async token =>
        {
            var r = await Call(scope, "DescribePolicies", new QueryParameters().Add("AutoScalingGroupName", groupName).List("PolicyNames", policyNames).Add("MaxRecords", 50).Add("NextToken", token), ct).ConfigureAwait(false);
            return (r.Body.Members("ScalingPolicies").Select(ParsePolicy), r.Body.Str("NextToken"));
        }).ConfigureAwait(false);

    public async Task<string?> DeletePolicyAsync(CloudScope scope, string groupName, string policyName, CancellationToken ct = default) =>
        (await Call(scope, "DeletePolicy", new QueryParameters().Add("AutoScalingGroupName", groupName).Add("PolicyName", policyName), ct).ConfigureAwait(false)).RequestId;

    public async Task<IReadOnlyList<ScalingActivity>> DescribeActivitiesAsync(CloudScope scope, string groupName, int maxRecords = 100, CancellationToken ct = default)
    {
        var r = await Call(scope, "DescribeScalingActivities", new QueryParameters().Add("AutoScalingGroupName", groupName).Add("MaxRecords", maxRecords), ct).ConfigureAwait(false);
        return r.Body.Members("Activities").Select(a => new ScalingActivity(
            a.Str("ActivityId") ?? "", a.Str("AutoScalingGroupName") ?? groupName, a.Str("Description"), a.Str("Cause"),
            a.Str("StatusCode") ?? "", a.Date("StartTime"), a.Date("EndTime"), a.Int("Progress")) { StatusMessage = a.Str("StatusMessage") }).ToList();
    }

    public async Task<string?> PutScheduledActionAsync(CloudScope scope, ScheduledActionSpec spec, CancellationToken ct = default) =>
        (await Call(scope, "PutScheduledUpdateGroupAction", new QueryParameters()
            .Add("AutoScalingGroupName", spec.GroupName)
            .Add("ScheduledActionName", spec.Name)
            .Add("StartTime", spec.StartTime)
            .Add("EndTime", spec.EndTime)
            .Add("Recurrence", spec.Recurrence)
            .Add("MinSize", spec.MinSize)
            .Add("MaxSize", spec.MaxSize)
            .Add("DesiredCapacity", spec.DesiredCapacity)
            .Add("TimeZone", spec.TimeZone), ct).ConfigureAwait(false)).RequestId;

    public async Task<IReadOnlyList<ScheduledAction>> DescribeScheduledActionsAsync(CloudScope scope, string groupName, CancellationToken ct = default) =>
        await AwsProtocolClient.PaginateAsync<ScheduledAction>(async token =>
        {
            var r = await Call(scope, "DescribeScheduledActions", new QueryParameters().Add("AutoScalingGroupName", groupName).Add("MaxRecords", 100).Add("NextToken", token), ct).ConfigureAwait(false);
            return (r.Body.Members("ScheduledUpdateGroupActions").Select(a => new ScheduledAction(
                a.Str("AutoScalingGroupName") ?? groupName, a.Str("ScheduledActionName") ?? "", a.Str("ScheduledActionARN"),
                a.Date("StartTime"), a.Date("EndTime"), a.Str("Recurrence"), a.Int("MinSize"), a.Int("MaxSize"), a.Int("DesiredCapacity"), a.Str("TimeZone"))), r.Body.Str("NextToken"));
        }).ConfigureAwait(false);

    public async Task<string?> DeleteScheduledActionAsync(CloudScope scope, string groupName, string name, CancellationToken ct = default) =>
        (await Call(scope, "DeleteScheduledAction", new QueryParameters().Add("AutoScalingGroupName", groupName).Add("ScheduledActionName", name), ct).ConfigureAwait(false)).RequestId;

    public async Task<string?> SuspendProcessesAsync(CloudScope scope, string groupName, IReadOnlyList<string>? processes, CancellationToken ct = default) =>
        (await Call(scope, "SuspendProcesses", new QueryParameters().Add("AutoScalingGroupName", groupName).List("ScalingProcesses", processes), ct).ConfigureAwait(false)).RequestId;

    public async Task<string?> ResumeProcessesAsync(CloudScope scope, string groupName, IReadOnlyList<string>? processes, CancellationToken ct = default) =>
        (await Call(scope, "ResumeProcesses", new QueryParameters().Add("AutoScalingGroupName", groupName).List("ScalingProcesses", processes), ct).ConfigureAwait(false)).RequestId;

    public async Task<StartInstanceRefreshResult> StartInstanceRefreshAsync(CloudScope scope, InstanceRefreshSpec spec, CancellationToken ct = default)
    {
        var p = new QueryParameters()
            .Add("AutoScalingGroupName", spec.GroupName)
            .Add("Strategy", "Rolling");
        if (spec.DesiredLaunchTemplateVersion is not null)
        {
            p.Struct("DesiredConfiguration", d => d.Struct("LaunchTemplate", t => t
                .Add("LaunchTemplateId", spec.DesiredLaunchTemplateId)
                .Add("LaunchTemplateName", spec.DesiredLaunchTemplateId is null ? spec.DesiredLaunchTemplateName : null)
                .Add("Version", spec.DesiredLaunchTemplateVersion)));
        }

        var checkpoints = spec.CheckpointPercentages is { Count: > 0 } c ? c.Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList() : null;
        if (spec.MinHealthyPercentage is not null || spec.InstanceWarmup is not null || spec.SkipMatching is not null || checkpoints is not null || spec.CheckpointDelay is not null || spec.AutoRollback is not null)
        {
            p.Struct("Preferences", pr => pr
                .Add("MinHealthyPercentage", spec.MinHealthyPercentage)
                .Add("InstanceWarmup", spec.InstanceWarmup)
                .List("CheckpointPercentages", checkpoints)
                .Add("CheckpointDelay", spec.CheckpointDelay)
                .Add("SkipMatching", spec.SkipMatching)
                .Add("AutoRollback", spec.AutoRollback));
        }

        var r = await Call(scope, "StartInstanceRefresh", p, ct).ConfigureAwait(false);
        return new StartInstanceRefreshResult(r.Body.Str("InstanceRefreshId") ?? "", r.RequestId);
    }

    public async Task<IReadOnlyList<AsgInstanceRefresh>> DescribeInstanceRefreshesAsync(CloudScope scope, string groupName, int maxRecords = 50, CancellationToken ct = default)
    {
        var r = await Call(scope, "DescribeInstanceRefreshes", new QueryParameters().Add("AutoScalingGroupName", groupName).Add("MaxRecords", Math.Clamp(maxRecords, 1, 100)), ct).ConfigureAwait(false);
        return r.Body.Members("InstanceRefreshes").Select(i => new AsgInstanceRefresh(
            i.Str("InstanceRefreshId") ?? "", i.Str("AutoScalingGroupName") ?? groupName, i.Str("Status") ?? "", i.Str("StatusReason"),
            i.Date("StartTime"), i.Date("EndTime"), i.Int("PercentageComplete"), i.Int("InstancesToUpdate"))
        {
            MinHealthyPercentage = i.El("Preferences").Int("MinHealthyPercentage"),
            InstanceWarmup = i.El("Preferences").Int("InstanceWarmup"),
            SkipMatching = i.El("Preferences").Bool("SkipMatching"),
            CheckpointPercentages = i.El("Preferences").Strings("CheckpointPercentages").Select(v => int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0).Where(n => n > 0).ToList(),
            CheckpointDelay = i.El("Preferences").Int("CheckpointDelay"),
            AutoRollback = i.El("Preferences").Bool("AutoRollback"),
            DesiredLaunchTemplateVersion = i.El("DesiredConfiguration").El("LaunchTemplate").Str("Version"),
        }).ToList();
    }

    public async Task<string?> CancelInstanceRefreshAsync(CloudScope scope, string groupName, CancellationToken ct = default) =>
        (await Call(scope, "CancelInstanceRefresh", new QueryParameters().Add("AutoScalingGroupName", groupName), ct).ConfigureAwait(false)).RequestId;

    public async Task<string?> RollbackInstanceRefreshAsync(CloudScope scope, string groupName, CancellationToken ct = default) =>
        (await Call(scope, "RollbackInstanceRefresh", new QueryParameters().Add("AutoScalingGroupName", groupName), ct).ConfigureAwait(false)).RequestId;

    public async Task<string?> EnableMetricsCollectionAsync(CloudScope scope, string groupName, IReadOnlyList<string>? metrics, string granularity = "1Minute", CancellationToken ct = default) =>
        (await Call(scope, "EnableMetricsCollection", new QueryParameters().Add("AutoScalingGroupName", groupName).List("Metrics", metrics).Add("Granularity", granularity), ct).ConfigureAwait(false)).RequestId;

    private static QueryParameters GroupParameters(AutoScalingGroupSpec s, bool create)
    {
        var p = new QueryParameters()
            .Add("AutoScalingGroupName", s.Name)
            .Add("MinSize", s.MinSize)
            .Add("MaxSize", s.MaxSize)
            .Add("DesiredCapacity", s.DesiredCapacity)
            .Add("LaunchConfigurationName", s.LaunchConfigurationName)
            .Add("DefaultCooldown", s.DefaultCooldown)
            .List("AvailabilityZones", s.AvailabilityZones)
            .Add("HealthCheckType", s.HealthCheckType)
            .Add("HealthCheckGracePeriod", s.HealthCheckGracePeriod)
            .Add("VPCZoneIdentifier", s.VpcZoneIdentifier);
        if (s.LaunchTemplateId is not null || s.LaunchTemplateName is not null)
        {
            p.Struct("LaunchTemplate", t => t.Add("LaunchTemplateId", s.LaunchTemplateId).Add("LaunchTemplateName", s.LaunchTemplateName).Add("Version", s.LaunchTemplateVersion));
        }

        if (create)
        {
            p.List("TargetGroupARNs", s.TargetGroupArns)
             .List("Tags", s.Tags, (t, tag) => t.Add("Key", tag.Key).Add("Value", tag.Value).Add("PropagateAtLaunch", tag.PropagateAtLaunch).Add("ResourceId", s.Name).Add("ResourceType", "auto-scaling-group"));
        }

        return p;
    }

    private static AutoScalingGroup ParseGroup(XElement g) => new(
        g.Str("AutoScalingGroupName") ?? "",
        g.Str("AutoScalingGroupARN"),
        g.Int("MinSize") ?? 0,
        g.Int("MaxSize") ?? 0,
        g.Int("DesiredCapacity") ?? 0,
        g.Int("DefaultCooldown"),
        g.Strings("AvailabilityZones"),
        g.Strings("TargetGroupARNs"),
        g.Str("HealthCheckType"),
        g.El("LaunchTemplate").Str("LaunchTemplateId"),
        g.El("LaunchTemplate").Str("LaunchTemplateName"),
        g.Str("LaunchConfigurationName"),
        g.Str("VPCZoneIdentifier"),
        g.Date("CreatedTime"),
        g.Str("Status"),
        g.Members("Instances").Select(i => new AsgInstance(
            i.Str("InstanceId") ?? "", i.Str("InstanceType"), i.Str("AvailabilityZone") ?? "", i.Str("LifecycleState") ?? "", i.Str("HealthStatus") ?? "", i.Bool("ProtectedFromScaleIn") ?? false)
        {
            LaunchTemplateVersion = i.El("LaunchTemplate").Str("Version"),
        }).ToList(),
        g.Members("Tags").Select(t => new AsgTag(t.Str("Key") ?? "", t.Str("Value") ?? "", t.Bool("PropagateAtLaunch") ?? false)).ToList())
    {
        LaunchTemplateVersion = g.El("LaunchTemplate").Str("Version") ?? g.El("MixedInstancesPolicy").El("LaunchTemplate").El("LaunchTemplateSpecification").Str("Version"),
        SuspendedProcesses = g.Members("SuspendedProcesses").Select(p => p.Str("ProcessName") ?? "").Where(p => p.Length > 0).ToList(),
        EnabledMetrics = g.Members("EnabledMetrics").Select(m => m.Str("Metric") ?? "").Where(m => m.Length > 0).ToList(),
    };

    private static ScalingPolicy ParsePolicy(XElement p)
    {
        var tt = p.El("TargetTrackingConfiguration");
        return new ScalingPolicy(
            p.Str("AutoScalingGroupName") ?? "",
            p.Str("PolicyName") ?? "",
            p.Str("PolicyARN"),
            p.Str("PolicyType") ?? "SimpleScaling",
            p.Str("AdjustmentType"),
            p.Int("ScalingAdjustment"),
            p.Members("StepAdjustments").Select(s => new StepAdjustment(s.Dbl("MetricIntervalLowerBound"), s.Dbl("MetricIntervalUpperBound"), s.Int("ScalingAdjustment") ?? 0)).ToList(),
            tt is null ? null : new TargetTracking(
                tt.El("PredefinedMetricSpecification").Str("PredefinedMetricType") ?? "",
                tt.Dbl("TargetValue") ?? 0,
                tt.El("PredefinedMetricSpecification").Str("ResourceLabel"),
                tt.Bool("DisableScaleIn") ?? false),
            p.Members("Alarms").Select(a => a.Str("AlarmName") ?? "").ToList())
        {
            Cooldown = p.Int("Cooldown"),
            EstimatedInstanceWarmup = p.Int("EstimatedInstanceWarmup"),
        };
    }
}
