using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Scaling;
using PortalOps.Jobs.Aws.Protocol;
using DomainActivity = PortalOps.Domain.Scaling.ScalingActivity;
using DomainPolicy = PortalOps.Domain.Scaling.ScalingPolicy;
using DomainScheduled = PortalOps.Domain.Scaling.ScheduledAction;
using DomainStep = PortalOps.Domain.Scaling.StepAdjustment;

namespace PortalOps.Jobs.Aws.Scaling;

/// <summary>
/// The <see cref="IScaling"/> port over our Auto Scaling client: groups of every configured account and region, read in parallel
/// (bounded by <c>Aws:MaxParallelism</c>) and paged at DescribeAutoScalingGroups' maximum of 100, so a listing costs
/// ceil(groups/100) calls per region. The listing is kept for <see cref="ListingLifetime"/> so paging through it in the web does
/// not call AWS again; any change made here drops it.
/// </summary>
public sealed partial class AwsScaling(IAutoScalingApi api, IOptions<AwsOptions> options, TimeProvider clock, ILogger<AwsScaling> logger) : IScaling
{
    public static readonly TimeSpan ListingLifetime = TimeSpan.FromSeconds(20);

    private readonly SemaphoreSlim _listing = new(1, 1);
    private (GroupListing Listing, DateTimeOffset At)? _cached;

    public async Task<GroupListing> ListGroupsAsync(CancellationToken cancellationToken = default)
    {
        if (Fresh() is { } fresh)
        {
            return fresh;
        }

        await _listing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh() is { } again)
            {
                return again;
            }

            var targets = options.Value.Accounts.SelectMany(a => a.Regions.Select(r => new CloudScope(a.Id, r))).ToList();
            var results = new ConcurrentDictionary<CloudScope, (IReadOnlyList<ScalingGroup> Groups, string? Problem)>();
            await Parallel.ForEachAsync(
                targets,
                new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelism, CancellationToken = cancellationToken },
                async (scope, ct) =>
                {
                    try
                    {
                        var groups = await api.DescribeGroupsAsync(scope, null, ct).ConfigureAwait(false);
                        results[scope] = (groups.Select(g => Map(scope, g)).ToList(), null);
                    }
                    catch (Exception e) when (e is AwsServiceException or HttpRequestException or TimeoutException)
                    {
                        LogRegionFailed(logger, scope.ToString(), e.Message);
                        results[scope] = ([], $"{scope}: Auto Scaling groups could not be read ({(e as AwsServiceException)?.ErrorCode ?? e.GetType().Name}).");
                    }
                }).ConfigureAwait(false);

            var listing = new GroupListing(
                targets.SelectMany(t => results[t].Groups).ToList(),
                targets.Select(t => results[t].Problem).OfType<string>().ToList());
            _cached = (listing, clock.GetUtcNow());
            return listing;
        }
        finally
        {
            _listing.Release();
        }
    }

    public async Task<ScalingGroup?> FindGroupAsync(GroupRef group, CancellationToken cancellationToken = default)
    {
        if (!Configured(group))
        {
            return null;
        }

        var found = await api.DescribeGroupsAsync(group.Scope, [group.Name], cancellationToken).ConfigureAwait(false);
        return found.FirstOrDefault(g => g.Name == group.Name) is { } g ? Map(group.Scope, g) : null;
    }

    public async Task<IReadOnlyList<DomainActivity>> ActivitiesAsync(GroupRef group, int max, CancellationToken cancellationToken = default)
    {
        var activities = await api.DescribeActivitiesAsync(group.Scope, group.Name, Math.Clamp(max, 1, 100), cancellationToken).ConfigureAwait(false);
        return activities
            .Select(a => new DomainActivity(a.ActivityId, a.Description ?? string.Empty, a.Cause, DomainActivity.ParseStatus(a.StatusCode), a.StartTime ?? DateTimeOffset.MinValue, a.EndTime) { StatusMessage = a.StatusMessage })
            .OrderByDescending(a => a.StartedAt)
            .ToList();
    }

    public async Task<IReadOnlyList<DomainPolicy>> PoliciesAsync(GroupRef group, CancellationToken cancellationToken = default) =>
        (await api.DescribePoliciesAsync(group.Scope, group.Name, null, cancellationToken).ConfigureAwait(false)).Select(Map).ToList();

    public async Task<IReadOnlyList<DomainScheduled>> ScheduledActionsAsync(GroupRef group, CancellationToken cancellationToken = default) =>
        (await api.DescribeScheduledActionsAsync(group.Scope, group.Name, cancellationToken).ConfigureAwait(false))
            .Select(a => new DomainScheduled(a.Name)
            {
                Arn = a.Arn,
                Recurrence = a.Recurrence,
                TimeZone = a.TimeZone,
                StartTime = a.StartTime,
                EndTime = a.EndTime,
                MinSize = a.MinSize,
                DesiredCapacity = a.DesiredCapacity,
                MaxSize = a.MaxSize,
            })
            .ToList();

    public Task<string?> SetCapacityAsync(GroupRef group, CapacityChange change, CancellationToken cancellationToken = default) =>
        Changed(api.UpdateGroupAsync(group.Scope, new AutoScalingGroupSpec(group.Name, change.MinSize, change.MaxSize, change.DesiredCapacity), cancellationToken));

    public async Task<string?> PutPolicyAsync(GroupRef group, DomainPolicy policy, CancellationToken cancellationToken = default) =>
        (await api.PutPolicyAsync(group.Scope, ToSpec(group.Name, policy), cancellationToken).ConfigureAwait(false)).RequestId;

    public Task<string?> DeletePolicyAsync(GroupRef group, string policyName, CancellationToken cancellationToken = default) =>
        api.DeletePolicyAsync(group.Scope, group.Name, policyName, cancellationToken);

    public Task<string?> PutScheduledActionAsync(GroupRef group, DomainScheduled action, CancellationToken cancellationToken = default) =>
        api.PutScheduledActionAsync(group.Scope, new ScheduledActionSpec(group.Name, action.Name, action.StartTime, action.EndTime, action.Recurrence, action.MinSize, action.MaxSize, action.DesiredCapacity, action.TimeZone), cancellationToken);

    public Task<string?> DeleteScheduledActionAsync(GroupRef group, string actionName, CancellationToken cancellationToken = default) =>
        api.DeleteScheduledActionAsync(group.Scope, group.Name, actionName, cancellationToken);

    public Task<string?> SuspendProcessesAsync(GroupRef group, IReadOnlyList<string> processes, CancellationToken cancellationToken = default) =>
        Changed(api.SuspendProcessesAsync(group.Scope, group.Name, processes, cancellationToken));

    public Task<string?> ResumeProcessesAsync(GroupRef group, IReadOnlyList<string> processes, CancellationToken cancellationToken = default) =>
        Changed(api.ResumeProcessesAsync(group.Scope, group.Name, processes, cancellationToken));

    public async Task<IReadOnlyList<InstanceRefresh>> InstanceRefreshesAsync(GroupRef group, int max, CancellationToken cancellationToken = default) =>
        (await api.DescribeInstanceRefreshesAsync(group.Scope, group.Name, max, cancellationToken).ConfigureAwait(false))
            .Select(r => new InstanceRefresh(r.InstanceRefreshId, InstanceRefresh.ParseStatus(r.Status), r.StartTime, r.EndTime, r.PercentageComplete ?? 0, r.InstancesToUpdate ?? 0)
            {
                StatusReason = r.StatusReason,
                MinHealthyPercentage = r.MinHealthyPercentage,
                InstanceWarmupSeconds = r.InstanceWarmup,
                SkipMatching = r.SkipMatching ?? false,
                CheckpointPercentages = r.CheckpointPercentages,
                CheckpointDelaySeconds = r.CheckpointDelay,
                AutoRollback = r.AutoRollback ?? false,
                DesiredLaunchTemplateVersion = r.DesiredLaunchTemplateVersion,
            })
            .OrderByDescending(r => r.StartedAt)
            .ToList();

    public async Task<string?> StartInstanceRefreshAsync(GroupRef group, InstanceRefreshRequest request, CancellationToken cancellationToken = default)
    {
        var spec = new InstanceRefreshSpec(group.Name, request.MinHealthyPercentage, request.InstanceWarmupSeconds, request.SkipMatching)
        {
            CheckpointPercentages = request.CheckpointPercentages.Count > 0 ? request.CheckpointPercentages : null,
            CheckpointDelay = request.CheckpointDelaySeconds,
            AutoRollback = request.AutoRollback ? true : null,
        };
        if (request.LaunchTemplateVersion is { } version)
        {
            // DesiredConfiguration names the template as well as the version: the group's own template, read now.
            var current = (await api.DescribeGroupsAsync(group.Scope, [group.Name], cancellationToken).ConfigureAwait(false)).FirstOrDefault(g => g.Name == group.Name)
                ?? throw new InvalidOperationException($"Auto Scaling group {group.Name} was not found in {group.Scope}.");
            if (current.LaunchTemplateId is null && current.LaunchTemplateName is null)
            {
                throw new InvalidOperationException($"Auto Scaling group {group.Name} launches from a launch configuration, not a launch template; a template version cannot be chosen.");
            }

            spec = spec with { DesiredLaunchTemplateId = current.LaunchTemplateId, DesiredLaunchTemplateName = current.LaunchTemplateName, DesiredLaunchTemplateVersion = version };
        }

        var started = await api.StartInstanceRefreshAsync(group.Scope, spec, cancellationToken).ConfigureAwait(false);
        _cached = null;
        return started.RequestId;
    }

    public Task<string?> CancelInstanceRefreshAsync(GroupRef group, CancellationToken cancellationToken = default) =>
        Changed(api.CancelInstanceRefreshAsync(group.Scope, group.Name, cancellationToken));

    public Task<string?> RollbackInstanceRefreshAsync(GroupRef group, CancellationToken cancellationToken = default) =>
        Changed(api.RollbackInstanceRefreshAsync(group.Scope, group.Name, cancellationToken));

    public Task<string?> EnableMetricsCollectionAsync(GroupRef group, IReadOnlyList<string> metrics, CancellationToken cancellationToken = default) =>
        Changed(api.EnableMetricsCollectionAsync(group.Scope, group.Name, metrics, GroupMetrics.Granularity, cancellationToken));

    /// <summary>Our policy as Auto Scaling's PutScalingPolicy takes it.</summary>
    public static ScalingPolicySpec ToSpec(string group, DomainPolicy policy) => policy.Kind switch
    {
        PolicyKind.TargetTracking => ScalingPolicySpec.ForTargetTracking(group, policy.Name, new TargetTracking(PolicyNames.Of(policy.Metric), policy.TargetValue, policy.Metric == TrackedMetric.RequestCountPerTarget ? policy.ResourceLabel : null, policy.DisableScaleIn))
            with { EstimatedInstanceWarmup = policy.WarmupSeconds },
        PolicyKind.Step => ScalingPolicySpec.ForSteps(group, policy.Name, policy.AdjustmentType.ToString(), policy.Steps.Select(s => new StepAdjustment(s.LowerBound, s.UpperBound, s.Adjustment)).ToList())
            with { EstimatedInstanceWarmup = policy.WarmupSeconds },
        PolicyKind.Simple => new ScalingPolicySpec(group, policy.Name, "SimpleScaling", AdjustmentType: policy.AdjustmentType.ToString(), ScalingAdjustment: policy.Adjustment, Cooldown: policy.Cooldown),
    };

    public static ScalingGroup Map(CloudScope scope, AutoScalingGroup g) => new(
        new GroupRef(scope.AccountId, scope.Region, g.Name),
        g.MinSize,
        g.DesiredCapacity,
        g.MaxSize,
        g.Instances.Select(i => new ScalingInstance(i.InstanceId, i.InstanceType, i.AvailabilityZone, ScalingProcesses.ParseLifecycle(i.LifecycleState), string.Equals(i.HealthStatus, "Healthy", StringComparison.OrdinalIgnoreCase), i.ProtectedFromScaleIn)
        {
            LaunchTemplateVersion = i.LaunchTemplateVersion,
        }).ToList(),
        g.LaunchTemplateName ?? g.LaunchTemplateId ?? g.LaunchConfigurationName,
        g.LaunchTemplateVersion,
        g.AvailabilityZones,
        g.TargetGroupArns,
        g.Tags.GroupBy(t => t.Key, StringComparer.Ordinal).ToDictionary(t => t.Key, t => t.Last().Value, StringComparer.Ordinal),
        g.CreatedTime)
    {
        SuspendedProcesses = g.SuspendedProcesses,
        Status = g.Status,
        EnabledMetrics = g.EnabledMetrics,
    };

    private static DomainPolicy Map(ScalingPolicy p)
    {
        var kind = PolicyNames.ParseKind(p.PolicyType);
        var adjustment = Enum.TryParse<AdjustmentType>(p.AdjustmentType, out var a) ? a : AdjustmentType.ChangeInCapacity;
        return new DomainPolicy(p.PolicyName, kind)
        {
            Arn = p.PolicyArn,
            Alarms = p.AlarmNames,
            Metric = PolicyNames.ParseMetric(p.TargetTracking?.PredefinedMetricType) ?? TrackedMetric.Cpu,
            TargetValue = p.TargetTracking?.TargetValue ?? 0,
            ResourceLabel = p.TargetTracking?.ResourceLabel,
            DisableScaleIn = p.TargetTracking?.DisableScaleIn ?? false,
            AdjustmentType = adjustment,
            Steps = p.Steps.Select(s => new DomainStep(s.LowerBound, s.UpperBound, s.ScalingAdjustment)).ToList(),
            Adjustment = p.ScalingAdjustment ?? 0,
            Cooldown = p.Cooldown,
            WarmupSeconds = p.EstimatedInstanceWarmup,
        };
    }

    private GroupListing? Fresh() =>
        _cached is { } c && clock.GetUtcNow() - c.At < ListingLifetime ? c.Listing : null;

    private bool Configured(GroupRef group) =>
        options.Value.Accounts.Any(a => a.Id == group.AccountId && a.Regions.Contains(group.Region));

    private async Task<string?> Changed(Task<string?> call)
    {
        var requestId = await call.ConfigureAwait(false);
        _cached = null;
        return requestId;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auto Scaling groups of {Scope} could not be read: {Failure}")]
    private static partial void LogRegionFailed(ILogger logger, string scope, string failure);
}
