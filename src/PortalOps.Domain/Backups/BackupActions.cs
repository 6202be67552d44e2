using System.Text.Json;
using System.Text.RegularExpressions;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Backups;

/// <summary>
/// Every backup change a person asks for, through the one action pipeline: saving a policy (creating or loosening one waits for approval
/// by default), backing up now, and restoring a volume or an instance. Input is checked here first, so a bad draft or restore is refused with
/// the reason and nothing is submitted.
/// </summary>
public sealed partial class BackupActions(
    IBackupPolicyStore policies, ICronSchedule cron, ActionPipeline pipeline, TimeProvider clock, IKmsKeys? keys = null, IBackupCloud? cloud = null, IInventory? inventory = null)
{
    public const string ApprovalRule = "Backup policies created or loosened need approval";
    public const string PolicyParameter = "policy";
    public const string VersionParameter = "version";
    public const string AuthorParameter = "author";
    public const string AuthorIdParameter = "authorId";
    public const string RuleParameter = "rule";
    public const string RestoreParameter = "restore";
    public const string InstanceTypeParameter = "instanceType";
    public const string SubnetParameter = "subnet";
    public const string ZoneParameter = "zone";
    public const string DrillParameter = "drill";
    public const string RestoreApprovalRule = "Restores need approval";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly string[] VolumeTypes = ["gp3", "gp2", "io2", "io1", "st1", "sc1", "standard"];

    /// <summary>Whether creating or loosening a policy waits for an approver (setting Backups:ApprovePolicyChanges).</summary>
    public bool RequireApprovalForPolicies { get; init; } = true;

    /// <summary>Whether restores (a volume, an instance, a whole instance in the DR region) wait for an approver (setting Backups:ApproveRestores).</summary>
    public bool RequireApprovalForRestores { get; init; }

    /// <summary>
    /// Every problem of a draft as the editor shows it beside the fields: the draft's own checks, then (when those pass) whether the DR copy's
    /// KMS key exists and can encrypt EBS in the DR region.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> CheckAsync(BackupPolicyDraft draft, CancellationToken cancellationToken = default)
    {
        var problems = new Dictionary<string, string>(draft.Problems(cron), StringComparer.Ordinal);
        if (draft.Copy is { KmsKeyId: { Length: > 0 } key } copy && !problems.ContainsKey(BackupPolicyDraft.CopyKmsKeyField) && !problems.ContainsKey(BackupPolicyDraft.CopyRegionField)
            && !problems.ContainsKey(BackupPolicyDraft.AccountIdField) && !problems.ContainsKey(BackupPolicyDraft.CopyAccountField) && keys is not null)
        {
            var account = string.IsNullOrWhiteSpace(copy.AccountId) ? draft.AccountId!.Trim() : copy.AccountId.Trim();
            string? problem;
            try
            {
                problem = await keys.ProblemAsync(new CloudScope(account, copy.Region.Trim()), key.Trim(), cancellationToken);
            }
            catch (BackupCloudException e)
            {
                problem = $"Key {key.Trim()} could not be checked in {copy.Region.Trim()}: {e.Message}";
            }

            if (problem is not null)
            {
                problems[BackupPolicyDraft.CopyKmsKeyField] = problem;
            }
        }

        return problems;
    }

    /// <summary>Submits a new policy (<paramref name="id"/> null) or its next version; throws <see cref="BackupPolicyException"/> with field errors first.</summary>
    public async Task<ActionResult> SavePolicyAsync(Actor actor, Guid? id, BackupPolicyDraft draft, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var problems = await CheckAsync(draft, cancellationToken);
        if (problems.Count > 0)
        {
            throw new BackupPolicyException(problems);
        }

        ActionKind kind;
        int version;
        string? reason;
        Guid policyId;
        if (id is { } known)
        {
            var current = await policies.FindAsync(known, cancellationToken);
            if (current is null)
            {
                return new ActionResult(ActionStatus.Refused, "That backup policy does not exist (any more).");
            }

            if (current.AccountId != draft.AccountId?.Trim() || current.Region != draft.Region?.Trim())
            {
                throw new BackupPolicyException(new Dictionary<string, string> { [BackupPolicyDraft.RegionField] = "A policy keeps its account and region; make a new policy for another one." });
            }

            reason = current.LoosenedBy(draft);
            kind = reason is null ? ActionKind.EditBackupPolicy : ActionKind.LoosenBackupPolicy;
            version = current.Version + 1;
            policyId = known;
        }
        else
        {
            kind = ActionKind.CreateBackupPolicy;
            version = 1;
            reason = $"New policy {draft.Name?.Trim()}";
            policyId = Guid.CreateVersion7(clock.GetUtcNow());
        }

        var target = new InstanceRef(draft.AccountId!.Trim(), draft.Region!.Trim(), policyId.ToString("N"));
        return await pipeline.SubmitAsync(actor, new ActionRequest(kind, [target], reason)
        {
            Parameters = new Dictionary<string, string>
            {
                [PolicyParameter] = JsonSerializer.Serialize(draft, Json),
                [VersionParameter] = version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [AuthorParameter] = actor.Name,
                [AuthorIdParameter] = actor.UserId.ToString("N"),
            },
            RequireApproval = kind != ActionKind.EditBackupPolicy && RequireApprovalForPolicies ? ApprovalRule : null,
            IdempotencyKey = idempotencyKey,
        }, cancellationToken);
    }

    public Task<ActionResult> RunNowAsync(Actor actor, BackupPolicy policy, string ruleName, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        if (policy.Rule(ruleName) is not { } rule)
        {
            return Task.FromResult(new ActionResult(ActionStatus.Refused, $"Policy {policy.Name} has no rule '{ruleName}'."));
        }

        return pipeline.SubmitAsync(actor, new ActionRequest(ActionKind.RunBackupNow, [new InstanceRef(policy.AccountId, policy.Region, policy.Id.ToString("N"))], $"Back up now under {rule.Name}")
        {
            Parameters = new Dictionary<string, string> { [RuleParameter] = rule.Name },
            IdempotencyKey = idempotencyKey,
        }, cancellationToken);
    }

    /// <summary>Refuses with the reason when the zone is not in the region, the type or size is not one EBS has, or the device is malformed.</summary>
    public Task<ActionResult> RestoreVolumeAsync(Actor actor, CloudScope scope, VolumeRestore restore, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var problem = !SnapshotPattern().IsMatch(restore.SnapshotId) ? $"'{restore.SnapshotId}' is not a snapshot id."
            : !restore.AvailabilityZone.StartsWith(scope.Region, StringComparison.Ordinal) || restore.AvailabilityZone.Length != scope.Region.Length + 1
                ? $"Availability zone '{restore.AvailabilityZone}' is not in {scope.Region}."
            : !VolumeTypes.Contains(restore.VolumeType) ? $"'{restore.VolumeType}' is not an EBS volume type; choose one of {string.Join(", ", VolumeTypes)}."
            : restore.SizeGiB is < 1 or > 16384 ? "A volume is 1 to 16,384 GiB."
            : restore.Device is { } d && !DevicePattern().IsMatch(d) ? $"'{d}' is not a device name (such as /dev/sdf)."
            : restore.AttachToInstanceId is { Length: > 0 } i && !InstancePattern().IsMatch(i) ? $"'{i}' is not an instance id."
            : null;
        return problem is not null
            ? Task.FromResult(new ActionResult(ActionStatus.Refused, problem))
            : pipeline.SubmitAsync(actor, new ActionRequest(ActionKind.RestoreVolume, [new InstanceRef(scope.AccountId, scope.Region, restore.SnapshotId)],
                $"Restore {restore.SnapshotId} to {restore.AvailabilityZone}{(restore.AttachToInstanceId is { Length: > 0 } to ? $", attached to {to}" : string.Empty)}")
            {
                Parameters = new Dictionary<string, string> { [RestoreParameter] = JsonSerializer.Serialize(restore, Json) },
                RequireApproval = RequireApprovalForRestores ? RestoreApprovalRule : null,
                IdempotencyKey = idempotencyKey,
            }, cancellationToken);
    }

    /// <summary>
    /// Restores one instance from a backup image with the launch wizard's choices (<paramref name="spec"/>: the image is the recovery point,
    /// the count one). Refused with the reason when the image is missing, is not an AMI a backup policy made, or is not available yet; the
    /// pipeline then authorizes it on the image (its instance's tags) and on where the new instance goes and the tags it carries, as a launch.
    /// </summary>
    public async Task<ActionResult> RestoreInstanceAsync(Actor actor, LaunchSpec spec, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var image = new InstanceRef(spec.AccountId, spec.Region, spec.ImageId);
        if (!ImagePattern().IsMatch(spec.ImageId))
        {
            return new ActionResult(ActionStatus.Refused, $"'{spec.ImageId}' is not an image id.");
        }

        if (spec.Count != 1)
        {
            return new ActionResult(ActionStatus.Refused, "A restore makes exactly one instance.");
        }

        if (cloud is null)
        {
            return new ActionResult(ActionStatus.Refused, "Restores are not set up on this portal.");
        }

        var point = await cloud.FindAsync(new CloudScope(image.AccountId, image.Region), image.InstanceId, cancellationToken);
        var request = RestoreInstanceRequest(spec, idempotencyKey);
        if (point is not null && !await MaySeeAsync(actor, point, cancellationToken))
        {
            // The pipeline refuses it and audits the refusal; nothing about the image is told.
            return await pipeline.SubmitAsync(actor, request, cancellationToken);
        }

        return RestoreLaunch.Problem(point, image) is { } problem
            ? new ActionResult(point is null ? ActionStatus.NotFound : ActionStatus.Refused, problem)
            : await pipeline.SubmitAsync(actor, request, cancellationToken);
    }

    /// <summary>The restore as the pipeline receives it: for the wizard's review (<see cref="ActionPipeline.PreviewAsync(Actor, ActionRequest, CancellationToken)"/>) and the submit alike.</summary>
    public ActionRequest RestoreInstanceRequest(LaunchSpec spec, string idempotencyKey) =>
        new(ActionKind.RestoreInstance, [new InstanceRef(spec.AccountId, spec.Region, spec.ImageId)], null)
        {
            Parameters = RestoreLaunch.Parameters(spec),
            RequireApproval = RequireApprovalForRestores ? RestoreApprovalRule : null,
            IdempotencyKey = idempotencyKey,
        };

    private async Task<bool> MaySeeAsync(Actor actor, RecoveryPoint point, CancellationToken cancellationToken)
    {
        var source = point.InstanceId is { } id && inventory is not null ? await inventory.FindAsync(new InstanceRef(point.Scope.AccountId, point.Scope.Region, id), cancellationToken) : null;
        return source is not null ? Authorizer.MaySee(actor, source) : Authorizer.MaySee(actor, point.Scope.AccountId, point.Scope.Region, point.Tags);
    }

    /// <summary>
    /// Launches a whole instance in its DR region from its latest complete copies (the type, subnet and zone optional: the source's type, the
    /// region's default subnet). Authorized on the source instance.
    /// </summary>
    public Task<ActionResult> RestoreInDrRegionAsync(Actor actor, InstanceRef source, string? instanceType, string? subnetId, string? zone, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var problem = !InstancePattern().IsMatch(source.InstanceId) ? $"'{source.InstanceId}' is not an instance id."
            : instanceType is { Length: > 0 } t && !t.Contains('.', StringComparison.Ordinal) ? $"'{t}' is not an instance type (such as t3.micro)."
            : null;
        if (problem is not null)
        {
            return Task.FromResult(new ActionResult(ActionStatus.Refused, problem));
        }

        var parameters = new Dictionary<string, string>();
        Put(parameters, InstanceTypeParameter, instanceType);
        Put(parameters, SubnetParameter, subnetId);
        Put(parameters, ZoneParameter, zone);
        return pipeline.SubmitAsync(actor, new ActionRequest(ActionKind.RestoreInDrRegion, [source], $"Restore {source.InstanceId} in its DR region from its latest copies")
        {
            Parameters = parameters,
            RequireApproval = RequireApprovalForRestores ? RestoreApprovalRule : null,
            IdempotencyKey = idempotencyKey,
        }, cancellationToken);
    }

    /// <summary>A DR drill of the chosen instances: restored from their latest copies, checked, measured and removed again.</summary>
    public Task<ActionResult> DrillAsync(Actor actor, IReadOnlyList<InstanceRef> instances, string? instanceType, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        if (instances.Count == 0)
        {
            return Task.FromResult(new ActionResult(ActionStatus.Refused, "Choose at least one protected instance for the drill."));
        }

        if (instances.FirstOrDefault(i => !InstancePattern().IsMatch(i.InstanceId)) is { } bad)
        {
            return Task.FromResult(new ActionResult(ActionStatus.Refused, $"'{bad.InstanceId}' is not an instance id."));
        }

        var parameters = new Dictionary<string, string>
        {
            [DrillParameter] = Guid.CreateVersion7(clock.GetUtcNow()).ToString("N"),
            [AuthorParameter] = actor.Name,
            [AuthorIdParameter] = actor.UserId.ToString("N"),
        };
        Put(parameters, InstanceTypeParameter, instanceType);
        return pipeline.SubmitAsync(actor, new ActionRequest(ActionKind.RunDrDrill, instances.Distinct().ToList(), $"DR drill of {instances.Count} instance(s)")
        {
            Parameters = parameters,
            IdempotencyKey = idempotencyKey,
        }, cancellationToken);
    }

    private static void Put(Dictionary<string, string> parameters, string key, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            parameters[key] = value.Trim();
        }
    }

    [GeneratedRegex(@"^snap-[0-9a-f]{8,17}$")]
    private static partial Regex SnapshotPattern();

    [GeneratedRegex(@"^/dev/[a-z0-9]{2,16}$|^xvd[a-z]{1,2}$")]
    private static partial Regex DevicePattern();

    [GeneratedRegex(@"^i-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex InstancePattern();

    [GeneratedRegex(@"^ami-[0-9a-f]{8,17}$")]
    private static partial Regex ImagePattern();
}
