using System.Text.Json;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Backups;

/// <summary>
/// Carries out the backup kinds once the pipeline has authorized them (and an approver agreed, when a rule asked). Saving a policy checks
/// the version it was asked for, so running an approved request twice saves once; restores carry the idempotency key to the cloud.
/// </summary>
public sealed class BackupActionExecutor(
    IBackupPolicyStore policies,
    IBackupCloud cloud,
    IInventory inventory,
    ICronSchedule cron,
    BackupRunEngine engine,
    TimeProvider clock,
    IRecoveryCloud? recovery = null,
    DrillEngine? drills = null,
    IInstanceLauncher? launcher = null,
    LaunchPlanner? planner = null) : IActionExecutor
{
    private static readonly ActionKind[] Kinds =
    [
        ActionKind.CreateBackupPolicy, ActionKind.EditBackupPolicy, ActionKind.LoosenBackupPolicy, ActionKind.RunBackupNow, ActionKind.RestoreVolume, ActionKind.RestoreInstance,
        ActionKind.RestoreInDrRegion, ActionKind.RunDrDrill,
    ];

    public bool CanExecute(ActionKind kind) => Kinds.Contains(kind);

    public async Task<ResolvedTarget?> ResolveAsync(ActionKind kind, InstanceRef target, CancellationToken cancellationToken)
    {
        if (kind.Target == ActionTarget.BackupPolicies)
        {
            var policy = Guid.TryParseExact(target.InstanceId, "N", out var id) ? await policies.FindAsync(id, cancellationToken) : null;
            if (policy is null)
            {
                return kind == ActionKind.CreateBackupPolicy ? new ResolvedTarget(target, "new backup policy", new Dictionary<string, string>()) : null;
            }

            return policy.AccountId == target.AccountId && policy.Region == target.Region
                ? new ResolvedTarget(target, policy.Name, policy.Content.SelectorTags)
                : null;
        }

        if (kind == ActionKind.RestoreInDrRegion || kind == ActionKind.RunDrDrill)
        {
            // Judged on the source instance: who may act on it may restore it elsewhere.
            var source = await inventory.FindAsync(target, cancellationToken);
            return source is null ? null : new ResolvedTarget(target, source.Name, source.Tags);
        }

        var point = await cloud.FindAsync(new CloudScope(target.AccountId, target.Region), target.InstanceId, cancellationToken);
        if (point is null)
        {
            return null;
        }

        // Judged on the instance it backs up (when it still exists), else on the tags the point carries.
        var instance = point.InstanceId is { } instanceId ? await inventory.FindAsync(new InstanceRef(target.AccountId, target.Region, instanceId), cancellationToken) : null;
        return new ResolvedTarget(target, instance?.Name ?? point.Id, instance?.Tags ?? point.Tags);
    }

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        if (kind == ActionKind.RunDrDrill)
        {
            return await DrillAsync(targets, parameters, cancellationToken);
        }

        var target = targets.Single().Ref;
        var scope = new CloudScope(target.AccountId, target.Region);
        try
        {
            if (kind == ActionKind.RestoreInDrRegion)
            {
                return await RestoreInDrRegionAsync(target, parameters, idempotencyKey, cancellationToken);
            }

            if (kind == ActionKind.RestoreVolume)
            {
                var restore = Read<VolumeRestore>(parameters);
                var made = await cloud.RestoreVolumeAsync(scope, restore, idempotencyKey, cancellationToken);
                return new ActionExecution(true, $"Volume {made.ResourceId} restored from {restore.SnapshotId} in {restore.AvailabilityZone}"
                    + (restore.AttachToInstanceId is { Length: > 0 } to ? $", attached to {to} as {restore.Device ?? "/dev/sdf"}." : "."), made.RequestId);
            }

            if (kind == ActionKind.RestoreInstance && RestoreLaunch.Carries(parameters))
            {
                return await RestoreWithLaunchAsync(target, parameters, idempotencyKey, cancellationToken);
            }

            if (kind == ActionKind.RestoreInstance)
            {
                var restore = Read<InstanceRestore>(parameters);
                var made = await cloud.RestoreInstanceAsync(scope, restore, idempotencyKey, cancellationToken);
                return new ActionExecution(true, $"Instance {made.ResourceId} launched from {restore.ImageId}.", made.RequestId)
                {
                    Created = [new InstanceRef(scope.AccountId, scope.Region, made.ResourceId)],
                };
            }

            var policyId = Guid.ParseExact(target.InstanceId, "N");
            if (kind == ActionKind.RunBackupNow)
            {
                var policy = await policies.FindAsync(policyId, cancellationToken) ?? throw new DomainException("The backup policy no longer exists.");
                var run = await engine.StartNowAsync(policy, parameters.GetValueOrDefault(BackupActions.RuleParameter) ?? string.Empty, cancellationToken);
                return new ActionExecution(true, $"Backup run {run.Id:N} started for {run.Items.Count} instance(s) of {policy.Name} ({run.RuleName}).", null);
            }

            return await SavePolicyAsync(kind, policyId, parameters, cancellationToken);
        }
        catch (BackupCloudException e)
        {
            return new ActionExecution(false, e.Message, e.RequestId);
        }
        catch (DomainException e)
        {
            return new ActionExecution(false, e.Message, null);
        }
    }

    /// <summary>
    /// An instance from a backup image with the launch wizard's choices: the image is checked again (it may have been pruned or failed since
    /// the request), then the launch is checked against what the provider offers and made with the request's key as its client token.
    /// </summary>
    private async Task<ActionExecution> RestoreWithLaunchAsync(InstanceRef image, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        if (launcher is null || planner is null)
        {
            return new ActionExecution(false, "Launching is not set up on this portal; nothing was restored.", null);
        }

        var point = await cloud.FindAsync(new CloudScope(image.AccountId, image.Region), image.InstanceId, cancellationToken);
        if (RestoreLaunch.Problem(point, image) is { } problem)
        {
            return new ActionExecution(false, $"Not restored: {problem}", null);
        }

        var spec = RestoreLaunch.ToSpec(image, parameters);
        var validation = await planner.ValidateAsync(spec, cancellationToken);
        if (!validation.IsValid)
        {
            return new ActionExecution(false, $"Not restored: {validation}", null);
        }

        try
        {
            var result = await launcher.LaunchAsync(spec.ToRequest(), idempotencyKey, cancellationToken);
            var made = result.Instances.Single();
            return new ActionExecution(true, result.Replayed
                ? $"Already restored by an earlier try of the same request: {made.InstanceId} from {image.InstanceId}."
                : $"Instance {made.InstanceId} restored from {image.InstanceId} in {spec.AvailabilityZone} as {spec.InstanceType}.", result.RequestId)
            {
                Created = result.Instances,
            };
        }
        catch (LaunchRefusedException e)
        {
            return new ActionExecution(false, $"Not restored: {e.Message}", e.RequestId);
        }
    }

    private async Task<ActionExecution> RestoreInDrRegionAsync(InstanceRef source, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        if (recovery is null || drills is null)
        {
            return new ActionExecution(false, "Restores in the DR region are not set up on this portal.", null);
        }

        var item = (await drills.PlanAsync([source], cancellationToken))[0];
        var copies = await recovery.InstancePointsAsync(item.DrScope, source.InstanceId, cancellationToken);
        var restore = DrPlanner.Latest(copies, source.InstanceId, await inventory.FindAsync(source, cancellationToken),
            parameters.GetValueOrDefault(BackupActions.InstanceTypeParameter), parameters.GetValueOrDefault(BackupActions.SubnetParameter), parameters.GetValueOrDefault(BackupActions.ZoneParameter));
        if (restore is null)
        {
            return new ActionExecution(false, $"No complete copy of {source.InstanceId} in {item.DrRegion}; nothing was launched.", null);
        }

        var launched = await recovery.LaunchAsync(item.DrScope, restore, idempotencyKey, cancellationToken);
        return new ActionExecution(true, $"Instance {launched.InstanceId} launched in {item.DrRegion} from the copies of {restore.Window}"
            + (launched.RegisteredImageId is { } image ? $" (image {image} registered from {restore.Volumes.Count} snapshot(s))." : $" (image {restore.ImageId})."), launched.RequestId)
        {
            Created = [new InstanceRef(item.DrAccountId, item.DrRegion, launched.InstanceId)],
        };
    }

    private async Task<ActionExecution> DrillAsync(IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        if (drills is null)
        {
            return new ActionExecution(false, "DR drills are not set up on this portal.", null);
        }

        try
        {
            var id = Guid.TryParseExact(parameters.GetValueOrDefault(BackupActions.DrillParameter), "N", out var given) ? given : Guid.CreateVersion7(clock.GetUtcNow());
            var actor = new Actor(Guid.TryParseExact(parameters.GetValueOrDefault(BackupActions.AuthorIdParameter), "N", out var authorId) ? authorId : Guid.Empty,
                parameters.GetValueOrDefault(BackupActions.AuthorParameter) ?? "unknown", Role.Operator, [], Channel.Web);
            var items = await drills.PlanAsync(targets.Select(t => t.Ref), cancellationToken);
            var drill = await drills.StartAsync(id, actor, items, parameters.GetValueOrDefault(BackupActions.InstanceTypeParameter), cancellationToken);
            return new ActionExecution(true, $"DR drill {drill.Id:N} started for {drill.Items.Count} instance(s) in {string.Join(", ", drill.Items.Select(i => i.DrRegion).Distinct())}.", null);
        }
        catch (DomainException e)
        {
            return new ActionExecution(false, e.Message, null);
        }
    }

    private async Task<ActionExecution> SavePolicyAsync(ActionKind kind, Guid policyId, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var draft = Read<BackupPolicyDraft>(parameters, BackupActions.PolicyParameter);
        var version = int.Parse(parameters[BackupActions.VersionParameter], System.Globalization.CultureInfo.InvariantCulture);
        var author = new Actor(Guid.TryParseExact(parameters.GetValueOrDefault(BackupActions.AuthorIdParameter), "N", out var authorId) ? authorId : Guid.Empty,
            parameters.GetValueOrDefault(BackupActions.AuthorParameter) ?? "unknown", Role.Operator, [], Channel.Web);
        var current = await policies.FindAsync(policyId, cancellationToken);
        if (current is not null && current.Version >= version)
        {
            return current.Version == version
                ? new ActionExecution(true, $"Policy {current.Name} v{current.Version} was already saved.", null)
                : new ActionExecution(false, $"Policy {current.Name} is at v{current.Version} already; this change was made for v{version - 1}. Edit it again.", null);
        }

        var now = clock.GetUtcNow();
        BackupPolicy saved;
        if (kind == ActionKind.CreateBackupPolicy)
        {
            saved = BackupPolicy.Create(policyId, draft, cron, author, now);
        }
        else
        {
            if (current is null || current.Version != version - 1)
            {
                return new ActionExecution(false, "The policy changed or disappeared since this edit was asked for. Edit it again.", null);
            }

            saved = current.Revise(draft, cron, author, now);
        }

        await policies.AddVersionAsync(saved, cancellationToken);
        return new ActionExecution(true, $"Saved {saved.Describe()}.", null);
    }

    private static T Read<T>(IReadOnlyDictionary<string, string> parameters, string name = BackupActions.RestoreParameter) =>
        JsonSerializer.Deserialize<T>(parameters.GetValueOrDefault(name) ?? "null", BackupActions.Json) ?? throw new DomainException($"The request carries no {name}.");
}
