using System.Collections.Concurrent;
using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Instances;
using InstanceState = PortalOps.Domain.Instances.InstanceState;

namespace PortalOps.Jobs.Aws.Instances;

/// <summary>
/// Start, stop, reboot and terminate, one EC2 call per account × region. With <c>Aws:DryRunFirst</c> each call is
/// preceded by its DryRun twin, so a missing permission fails before anything changes. A batch that EC2 rejects
/// because one id is unknown is retried per instance, so every target gets its own result.
/// The same idempotency key returns the first result instead of acting again (a reboot is not repeated).
/// </summary>
public sealed class AwsCompute(AwsClients clients, AwsInventory inventory, ILogger<AwsCompute> logger, IFleetEvents? events = null) : ICompute
{
    private const int RememberedKeys = 2048;
    private readonly ConcurrentDictionary<string, Task<ComputeResult>> done = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> order = new();

    public Task<ComputeResult> ApplyAsync(InstanceAction action, IReadOnlyList<InstanceRef> targets, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        var key = $"{action}:{idempotencyKey}";
        var task = done.GetOrAdd(key, _ => ApplyCoreAsync(action, targets, idempotencyKey, cancellationToken));
        _ = task.ContinueWith(t => done.TryRemove(new KeyValuePair<string, Task<ComputeResult>>(key, t)), CancellationToken.None, TaskContinuationOptions.NotOnRanToCompletion, TaskScheduler.Default);
        order.Enqueue(key);
        while (order.Count > RememberedKeys && order.TryDequeue(out var old))
        {
            done.TryRemove(old, out _);
        }

        return task;
    }

    private async Task<ComputeResult> ApplyCoreAsync(InstanceAction action, IReadOnlyList<InstanceRef> targets, string idempotencyKey, CancellationToken cancellationToken)
    {
        var results = new List<TargetResult>(targets.Count);
        var requestIds = new List<string>();
        foreach (var group in targets.Distinct().GroupBy(t => (t.AccountId, t.Region)))
        {
            var refs = group.ToList();
            if (clients.Options.Accounts.All(a => a.Id != group.Key.AccountId))
            {
                results.AddRange(refs.Select(r => new TargetResult(r, false, $"Account {r.AccountId} is not configured.")));
                continue;
            }

            var (groupResults, ids) = await ApplyGroupAsync(action, group.Key.AccountId, group.Key.Region, refs, cancellationToken).ConfigureAwait(false);
            results.AddRange(groupResults);
            requestIds.AddRange(ids);
        }

        inventory.ApplyStates(results.Where(r => r is { Succeeded: true, NewState: not null }).Select(r => (r.Target, r.NewState!.Value)));
        foreach (var r in results.Where(r => r.Succeeded))
        {
            events?.Publish(r.Target);
        }

        logger.LogInformation("{Action} ({Key}) on {Count} instance(s): {Failed} failed; request ids {RequestIds}",
            action, idempotencyKey, results.Count, results.Count(r => !r.Succeeded), string.Join(",", requestIds));
        return new ComputeResult(results, requestIds.Count == 0 ? null : string.Join(",", requestIds.Distinct()));
    }

    private async Task<(List<TargetResult>, List<string>)> ApplyGroupAsync(InstanceAction action, string accountId, string region, List<InstanceRef> refs, CancellationToken cancellationToken)
    {
        var ec2 = clients.Ec2(accountId, region);
        var requestIds = new List<string>();
        var ids = refs.Select(r => r.InstanceId).ToList();
        try
        {
            if (clients.Options.DryRunFirst)
            {
                await DryRunAsync(ec2, action, ids, cancellationToken).ConfigureAwait(false);
            }

            var (changes, requestId) = await CallAsync(ec2, action, ids, dryRun: false, cancellationToken).ConfigureAwait(false);
            requestIds.Add(requestId);
            return (refs.Select(r => new TargetResult(r, true, null, changes.GetValueOrDefault(r.InstanceId))).ToList(), requestIds);
        }
        catch (AmazonEC2Exception e) when (refs.Count > 1 && e.ErrorCode is "InvalidInstanceID.NotFound" or "InvalidInstanceID.Malformed" or "IncorrectInstanceState" or "UnsupportedOperation" or "OperationNotPermitted")
        {
            // One bad id fails the whole batch: go one by one so the others still happen.
            var results = new List<TargetResult>(refs.Count);
            foreach (var r in refs)
            {
                var (single, singleIds) = await ApplyGroupAsync(action, accountId, region, [r], cancellationToken).ConfigureAwait(false);
                results.AddRange(single);
                requestIds.AddRange(singleIds);
            }

            return (results, requestIds);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var failure = AwsFailure.From(e, accountId, region, Operation(action));
            logger.LogError("{Action} failed: {Failure}", action, failure.ToString());
            if (failure.RequestId is not null)
            {
                requestIds.Add(failure.RequestId);
            }

            return (refs.Select(r => new TargetResult(r, false, failure.ToString())).ToList(), requestIds);
        }
    }

    private static async Task DryRunAsync(IAmazonEC2 ec2, InstanceAction action, List<string> ids, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(ec2, action, ids, dryRun: true, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode == "DryRunOperation")
        {
            // Allowed: the real call may go ahead.
        }
    }

    private static async Task<(Dictionary<string, InstanceState> Changes, string RequestId)> CallAsync(IAmazonEC2 ec2, InstanceAction action, List<string> ids, bool dryRun, CancellationToken ct)
    {
        static Dictionary<string, InstanceState> Map(List<InstanceStateChange>? changes) =>
            (changes ?? []).ToDictionary(c => c.InstanceId, c => Ec2Mapping.State(c.CurrentState?.Name), StringComparer.Ordinal);

        switch (action)
        {
            case InstanceAction.Start:
                var start = await ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = ids, DryRun = dryRun }, ct).ConfigureAwait(false);
                return (Map(start.StartingInstances), start.ResponseMetadata.RequestId);
            case InstanceAction.Stop:
                var stop = await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = ids, DryRun = dryRun }, ct).ConfigureAwait(false);
                return (Map(stop.StoppingInstances), stop.ResponseMetadata.RequestId);
            case InstanceAction.Hibernate:
                var hibernate = await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = ids, Hibernate = true, DryRun = dryRun }, ct).ConfigureAwait(false);
                return (Map(hibernate.StoppingInstances), hibernate.ResponseMetadata.RequestId);
            case InstanceAction.Reboot:
                var reboot = await ec2.RebootInstancesAsync(new RebootInstancesRequest { InstanceIds = ids, DryRun = dryRun }, ct).ConfigureAwait(false);
                return ([], reboot.ResponseMetadata.RequestId);
            case InstanceAction.Terminate:
                var terminate = await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = ids, DryRun = dryRun }, ct).ConfigureAwait(false);
                return (Map(terminate.TerminatingInstances), terminate.ResponseMetadata.RequestId);
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, null);
        }
    }

    private static string Operation(InstanceAction action) => action switch
    {
        InstanceAction.Start => "StartInstances",
        InstanceAction.Stop or InstanceAction.Hibernate => "StopInstances",
        InstanceAction.Reboot => "RebootInstances",
        InstanceAction.Terminate => "TerminateInstances",
    };
}
