using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Patching;

/// <summary>What starting a run gave: the run (null when refused before planning) and the pipeline's answer.</summary>
public sealed record PatchRunStart(PatchRun? Run, ActionResult Result);

/// <summary>
/// Starting a patch run for a person: plans it (waves, window, skipped instances), stores it, and submits the install through the
/// action pipeline, which always asks for approval first. The same idempotency key finds the same run; a group has one active run.
/// </summary>
public sealed class PatchRuns(
    IPatchRunStore runs,
    IPatchCatalog catalog,
    IInventory inventory,
    IRemoteCommands commands,
    IMaintenanceWindowStore windows,
    ActionPipeline pipeline,
    TimeProvider clock)
{
    public const string ApprovalRule = "Patch installs need approval";
    public const string RunIdParameter = "runId";

    public async Task<PatchRunStart> StartAsync(Actor actor, PatchRunRequest request, CancellationToken cancellationToken = default)
    {
        if (!string.IsNullOrWhiteSpace(request.IdempotencyKey) && await runs.FindByKeyAsync(request.IdempotencyKey.Trim(), cancellationToken) is { } existing)
        {
            return new PatchRunStart(existing, new ActionResult(ActionStatus.Executed, $"Patch run {existing.Id:N} was already started ({existing.Status})."));
        }

        var group = (await catalog.GroupsAsync(cancellationToken)).FirstOrDefault(g => string.Equals(g.Name, request.GroupName, StringComparison.OrdinalIgnoreCase));
        if (group is null)
        {
            return Refused($"There is no patch group '{request.GroupName}'.");
        }

        foreach (var id in await runs.ActiveAsync(cancellationToken))
        {
            if (await runs.FindAsync(id, cancellationToken) is { } active && string.Equals(active.GroupName, group.Name, StringComparison.OrdinalIgnoreCase))
            {
                return Refused($"Group {group.Name} already has a run in progress ({active.Status}); wait for it to finish.");
            }
        }

        var now = clock.GetUtcNow();
        var candidates = await CandidatesAsync(group, now, cancellationToken);
        PatchRun run;
        try
        {
            run = PatchRun.Create(request, group, candidates, await windows.ListAsync(now, cancellationToken), actor, now);
        }
        catch (DomainException e)
        {
            return Refused(e.Message);
        }

        var targets = run.PatchedInstances;
        if (targets.Count > ActionPipeline.MaxTargets)
        {
            return Refused($"A run patches at most {ActionPipeline.MaxTargets} instances; split group {group.Name} by another tag.");
        }

        await runs.AddAsync(run, cancellationToken);
        var result = await pipeline.SubmitAsync(actor, new ActionRequest(ActionKind.InstallPatches, targets, $"Patch group {group.Name} in {run.Waves.Count} wave(s), window {run.WindowName}")
        {
            Parameters = new Dictionary<string, string> { [RunIdParameter] = run.Id.ToString("N") },
            RequireApproval = ApprovalRule,
            IdempotencyKey = run.IdempotencyKey,
        }, cancellationToken);

        var read = run.Version;
        if (result.ApprovalId is { } approvalId)
        {
            run.AwaitApproval(approvalId);
        }
        else if (!result.IsSuccess)
        {
            run.Deny(result.Message, now);
        }

        if (run.Version != read)
        {
            await runs.SaveAsync(run, read, cancellationToken);
        }

        return new PatchRunStart(run, result);
    }

    /// <summary>The group's instances with what Systems Manager says about their agents (one DescribeInstanceInformation pass per account and region).</summary>
    public async Task<IReadOnlyList<PatchCandidate>> CandidatesAsync(PatchGroup group, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var members = (await Fleet.AllAsync(inventory, cancellationToken)).Where(i => i.State != InstanceState.Terminated && group.Contains(i.Tags)).ToList();
        var list = new List<PatchCandidate>(members.Count);
        foreach (var scope in members.GroupBy(i => new CloudScope(i.AccountId, i.Region)))
        {
            var managed = (await commands.ManagedInstancesAsync(scope.Key, cancellationToken)).ToDictionary(m => m.InstanceId, StringComparer.Ordinal);
            list.AddRange(scope.Select(i => new PatchCandidate(i, AgentStatus.Of(i, managed.GetValueOrDefault(i.InstanceId), now))));
        }

        return list;
    }

    private static PatchRunStart Refused(string message) => new(null, new ActionResult(ActionStatus.Refused, message));
}
