using System.Collections.Concurrent;
using Amazon.EC2.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PortalOps.Jobs.Aws.Protocol;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using InstanceState = PortalOps.Domain.Instances.InstanceState;
using Instance = PortalOps.Domain.Instances.Instance;

namespace PortalOps.Jobs.Aws.Instances;

/// <summary>
/// The fleet across every configured account × region, held as one snapshot. A refresh fans out in parallel
/// (bounded by <c>Aws:MaxParallelism</c>) and pages DescribeInstances at 1000, so calls per refresh are the minimum.
/// A region that fails keeps its last known instances and records the error, code and request id. Every read a person
/// waits for has a deadline (<c>Aws:ReadDeadlineSeconds</c>, retries included), and a failed region is answered from the
/// last inventory for <c>Aws:FailedRegionRetrySeconds</c> before it is asked again, so an outage shows in seconds and
/// pages do not wait for it again and again.
/// </summary>
public sealed class AwsInventory(AwsClients clients, AwsProtocolClient core, IOptions<AwsOptions> options, TimeProvider clock, ILogger<AwsInventory> logger)
    : IInventory, IInventoryStatus
{
    public const int PageSize = 1000;

    private readonly SemaphoreSlim refreshGate = new(1, 1);
    private volatile Snapshot? snapshot;
    private volatile InventoryStatus status = InventoryStatus.Never;

    public InventoryStatus Current => status;

    public async Task<Page<Instance>> QueryAsync(InstanceQuery query, CancellationToken cancellationToken = default) =>
        query.Apply((await FreshAsync(cancellationToken).ConfigureAwait(false)).All);

    public async Task<FleetSummary> SummarizeAsync(IReadOnlyList<PortalOps.Domain.Security.Scope>? visibleTo = null, CancellationToken cancellationToken = default) =>
        FleetSummary.Of((await FreshAsync(cancellationToken).ConfigureAwait(false)).All, visibleTo);

    /// <summary>
    /// Looks the instance up live (with its volumes), so a detail view and a just-finished action see the truth; while its
    /// region is failing, or when the lookup misses the deadline, answers from the last inventory.
    /// </summary>
    public async Task<Instance?> FindAsync(InstanceRef instance, CancellationToken cancellationToken = default)
    {
        if (options.Value.Accounts.All(a => a.Id != instance.AccountId))
        {
            return null;
        }

        if (RecentlyFailed(instance.AccountId, instance.Region) is not null)
        {
            return snapshot?.ById.GetValueOrDefault(instance);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ReadDeadline);
        try
        {
            var ec2 = clients.Ec2(instance.AccountId, instance.Region);
            var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instance.InstanceId] }, deadline.Token).ConfigureAwait(false);
            var found = response.Reservations?.SelectMany(r => r.Instances ?? []).FirstOrDefault(i => i.InstanceId == instance.InstanceId);
            if (found is null)
            {
                Forget(instance);
                return null;
            }

            var mapped = Ec2Mapping.ToInstance(found, instance.AccountId, instance.Region);
            mapped = await WithVolumeDetailsAsync(mapped, deadline.Token).ConfigureAwait(false);
            Update(mapped);
            return mapped;
        }
        catch (Amazon.EC2.AmazonEC2Exception e) when (e.ErrorCode is "InvalidInstanceID.NotFound" or "InvalidInstanceID.Malformed")
        {
            Forget(instance);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var failure = AwsFailure.From(deadline.IsCancellationRequested ? NoAnswer("DescribeInstances", instance.Region, e) : e, instance.AccountId, instance.Region, "DescribeInstances");
            logger.LogWarning("Live lookup of {Instance} failed, answering from the cache: {Failure}", instance, failure);
            if (deadline.IsCancellationRequested || failure.Kind is "Unreachable endpoint" or "Timed out")
            {
                RecordFailure(instance.AccountId, instance.Region, failure);
            }

            return snapshot?.ById.GetValueOrDefault(instance);
        }
    }

    private TimeSpan ReadDeadline => TimeSpan.FromSeconds(options.Value.ReadDeadlineSeconds);

    /// <summary>The region's status when its last read failed less than <c>Aws:FailedRegionRetrySeconds</c> ago.</summary>
    private RegionStatus? RecentlyFailed(string accountId, string region) =>
        status.Regions.FirstOrDefault(r => r.AccountId == accountId && r.Region == region) is { Healthy: false, LastAttempt: { } at } failed
        && clock.GetUtcNow() - at < TimeSpan.FromSeconds(options.Value.FailedRegionRetrySeconds)
            ? failed
            : null;

    private TimeoutException NoAnswer(string operation, string region, Exception inner) =>
        new($"{region} did not answer {operation} within {options.Value.ReadDeadlineSeconds:0.#} s (Aws:ReadDeadlineSeconds); showing the last inventory.", inner);

    /// <summary>A live read found the region not answering: pages show it, and the next refreshes answer from the last inventory for a while.</summary>
    private void RecordFailure(string accountId, string region, AwsFailure failure)
    {
        var current = status;
        var kept = snapshot?.All.Count(i => i.AccountId == accountId && i.Region == region) ?? 0;
        var previous = current.Regions.FirstOrDefault(r => r.AccountId == accountId && r.Region == region);
        var failed = new RegionStatus(accountId, region, kept, previous?.LastSuccess, clock.GetUtcNow(), failure.ToString(), failure.ErrorCode ?? failure.Kind, failure.RequestId);
        var regions = current.Regions.Where(r => r != previous).Append(failed)
            .OrderBy(r => r.AccountId, StringComparer.Ordinal).ThenBy(r => r.Region, StringComparer.Ordinal).ToList();
        status = new InventoryStatus(current.RefreshedAt, regions);
    }

    /// <summary>Reads every region now, failed ones included ("Refresh now").</summary>
    public async Task<InventoryStatus> RefreshAsync(CancellationToken cancellationToken = default)
    {
        await RefreshCoreAsync(null, cancellationToken, retryFailed: true).ConfigureAwait(false);
        return status;
    }

    /// <summary>Records instance states an action just reported, so pages show them before the next refresh.</summary>
    internal void ApplyStates(IEnumerable<(InstanceRef Ref, InstanceState State)> changes)
    {
        var current = snapshot;
        if (current is null)
        {
            return;
        }

        var byId = new Dictionary<InstanceRef, Instance>(current.ById);
        var changed = false;
        foreach (var (r, s) in changes)
        {
            if (byId.TryGetValue(r, out var i) && i.State != s)
            {
                byId[r] = i with { State = s };
                changed = true;
            }
        }

        if (changed)
        {
            snapshot = new Snapshot(byId.Values.ToList(), byId, current.At);
        }
    }

    private void Update(Instance instance)
    {
        var current = snapshot;
        if (current is null)
        {
            return;
        }

        var byId = new Dictionary<InstanceRef, Instance>(current.ById) { [instance.Ref] = instance };
        snapshot = new Snapshot(byId.Values.ToList(), byId, current.At);
    }

    private void Forget(InstanceRef instance)
    {
        var current = snapshot;
        if (current is null || !current.ById.ContainsKey(instance))
        {
            return;
        }

        var byId = new Dictionary<InstanceRef, Instance>(current.ById);
        byId.Remove(instance);
        snapshot = new Snapshot(byId.Values.ToList(), byId, current.At);
    }

    private async Task<Snapshot> FreshAsync(CancellationToken cancellationToken)
    {
        var current = snapshot;
        var maxAge = TimeSpan.FromSeconds(options.Value.InventoryMaxAgeSeconds);
        if (current is not null && clock.GetUtcNow() - current.At <= maxAge)
        {
            return current;
        }

        return await RefreshCoreAsync(current, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Snapshot> RefreshCoreAsync(Snapshot? seen, CancellationToken cancellationToken, bool retryFailed = false)
    {
        await refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Someone else refreshed while we waited: use theirs.
            if (seen is not null && !ReferenceEquals(snapshot, seen) && snapshot is { } newer)
            {
                return newer;
            }

            var previous = snapshot;
            var targets = options.Value.Accounts.SelectMany(a => a.Regions.Select(r => (Account: a.Id, Region: r))).ToList();
            var results = new ConcurrentDictionary<(string, string), (List<Instance>? Instances, RegionStatus Status)>();
            var started = clock.GetUtcNow();
            await Parallel.ForEachAsync(
                targets,
                new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelism, CancellationToken = cancellationToken },
                async (t, ct) => results[t] = !retryFailed && RecentlyFailed(t.Account, t.Region) is { } failed
                    ? (null, failed)
                    : await LoadRegionAsync(t.Account, t.Region, previous, ct).ConfigureAwait(false)).ConfigureAwait(false);

            var all = new List<Instance>();
            var regions = new List<RegionStatus>(targets.Count);
            foreach (var t in targets)
            {
                var (instances, regionStatus) = results[t];
                all.AddRange(instances ?? previous?.All.Where(i => i.AccountId == t.Account && i.Region == t.Region) ?? []);
                regions.Add(regionStatus);
            }

            var byId = new Dictionary<InstanceRef, Instance>(all.Count);
            foreach (var i in all)
            {
                byId[i.Ref] = i;
            }

            // Age counts from when the data arrived: a refresh slower than the max age must not trigger the next one at once.
            var next = new Snapshot(all, byId, clock.GetUtcNow());
            snapshot = next;
            status = new InventoryStatus(started, regions);
            return next;
        }
        finally
        {
            refreshGate.Release();
        }
    }

    private async Task<(List<Instance>?, RegionStatus)> LoadRegionAsync(string accountId, string region, Snapshot? previous, CancellationToken cancellationToken)
    {
        var attempt = clock.GetUtcNow();
        var lastSuccess = status.Regions.FirstOrDefault(r => r.AccountId == accountId && r.Region == region)?.LastSuccess;
        try
        {
            // DescribeInstances is read with a streaming parser over the signed Query transport: the SDK's
            // unmarshaller alone spends more CPU than the whole budget on 10,000 instances (docs/performance.md).
            var endpoint = clients.Endpoint(accountId, region, AwsServiceDescriptor.Ec2);
            var list = new List<Instance>();
            string? token = null;
            do
            {
                // Each page, retries included, within the read deadline.
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(ReadDeadline);
                var parameters = new QueryParameters().Add("MaxResults", PageSize).Add("NextToken", token);
                try
                {
                    var (instances, next, _) = await core.QueryRawAsync(endpoint, "DescribeInstances", parameters,
                        (xml, _) => DescribeInstancesReader.Read(xml, accountId, region), deadline.Token).ConfigureAwait(false);
                    list.AddRange(instances);
                    token = next;
                }
                catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw NoAnswer("DescribeInstances", region, e);
                }
            }
            while (token is not null);

            return (list, new RegionStatus(accountId, region, list.Count, attempt, attempt));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var failure = AwsFailure.From(e, accountId, region, "DescribeInstances");
            logger.LogError("Inventory refresh failed: {Failure}", failure.ToString());
            var kept = previous?.All.Count(i => i.AccountId == accountId && i.Region == region) ?? 0;
            return (null, new RegionStatus(accountId, region, kept, lastSuccess, attempt, failure.ToString(), failure.ErrorCode ?? failure.Kind, failure.RequestId));
        }
    }

    private async Task<Instance> WithVolumeDetailsAsync(Instance instance, CancellationToken cancellationToken)
    {
        var ids = instance.Volumes.Select(v => v.VolumeId).Where(v => !string.IsNullOrEmpty(v)).ToList();
        if (ids.Count == 0)
        {
            return instance;
        }

        try
        {
            var response = await clients.Ec2(instance.AccountId, instance.Region)
                .DescribeVolumesAsync(new DescribeVolumesRequest { VolumeIds = ids }, cancellationToken).ConfigureAwait(false);
            var byId = (response.Volumes ?? []).ToDictionary(v => v.VolumeId, StringComparer.Ordinal);
            return instance with
            {
                Volumes = instance.Volumes
                    .Select(v => byId.TryGetValue(v.VolumeId, out var d) ? v with { SizeGiB = d.Size ?? 0, VolumeType = d.VolumeType?.Value ?? "", Encrypted = d.Encrypted ?? false } : v)
                    .ToList(),
            };
        }
        catch (Amazon.EC2.AmazonEC2Exception e)
        {
            logger.LogWarning("Volume details for {Instance} unavailable: {Code} (request {RequestId})", instance.Ref, e.ErrorCode, e.RequestId);
            return instance;
        }
    }

    private sealed record Snapshot(IReadOnlyList<Instance> All, IReadOnlyDictionary<InstanceRef, Instance> ById, DateTimeOffset At);
}
