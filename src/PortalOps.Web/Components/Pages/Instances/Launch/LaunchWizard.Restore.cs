using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Components.Pages.Instances.Launch;

/// <summary>
/// The launch wizard restoring an instance from a backup image (<c>?restoreFrom=ACCOUNT/REGION/ami-…</c>): the image, its account and region
/// and a count of one are fixed; the rest starts from the source instance (type, zone, subnet, security groups, key pair, root volume,
/// metadata options, hibernation, tags) where the inventory still knows it, and is edited and checked as for any launch. The request is a
/// <see cref="ActionKind.RestoreInstance"/> through the action pipeline. A point that is missing, outside the person's scope, not a backup
/// image or not available yet reads as a message instead of a wizard.
/// </summary>
public sealed partial class LaunchWizard
{
    /// <summary>The backup image to restore from, as ACCOUNT/REGION/ami-….</summary>
    [SupplyParameterFromQuery(Name = "restoreFrom")]
    public string? RestoreFrom { get; set; }

    [Inject]
    public required IServiceProvider Services { get; init; }

    /// <summary>True when the wizard restores from a backup image rather than launching.</summary>
    public bool Restores => RestoreFrom is not null;

    /// <summary>The backup image being restored, once found and allowed.</summary>
    public RecoveryPoint? RestorePoint { get; private set; }

    /// <summary>The instance the image backs up, when the inventory still has it.</summary>
    public Instance? RestoreSource { get; private set; }

    /// <summary>Why this restore cannot be started (missing, out of scope, not a backup image, not available); null when it can.</summary>
    public string? RestoreProblem { get; private set; }

    /// <summary>Whether the person's role lets them ask for this (Operator or higher); others see the wizard read-only.</summary>
    public bool CanSubmit { get; private set; } = true;

    private async Task OpenRestoreAsync()
    {
        var actor = await Current.ActorAsync();
        CanSubmit = actor.IsAtLeast(ActionKind.RestoreInstance.MinimumRole);
        var parts = RestoreFrom!.Split('/', StringSplitOptions.TrimEntries);
        var cloud = Services.GetService<IBackupCloud>();
        if (parts.Length != 3 || parts.Any(p => p.Length == 0) || cloud is null)
        {
            RestoreProblem = cloud is null ? "Restores are not set up on this portal." : $"'{RestoreFrom}' is not a recovery point (ACCOUNT/REGION/ami-…).";
            return;
        }

        var asked = new InstanceRef(parts[0], parts[1], parts[2]);
        var point = await cloud.FindAsync(new CloudScope(asked.AccountId, asked.Region), asked.InstanceId);
        var inventory = Services.GetService<IInventory>();
        var source = point?.InstanceId is { } id && inventory is not null ? await inventory.FindAsync(new InstanceRef(asked.AccountId, asked.Region, id)) : null;
        var visible = point is not null && (source is not null ? Authorizer.MaySee(actor, source) : Authorizer.MaySee(actor, asked.AccountId, asked.Region, point.Tags));
        if (!visible)
        {
            RestoreProblem = $"Recovery point {asked.InstanceId} was not found in {asked.AccountId}/{asked.Region}, or is outside your scope.";
            return;
        }

        if (RestoreLaunch.Problem(point, asked) is { } problem)
        {
            RestoreProblem = problem;
            return;
        }

        RestorePoint = point;
        RestoreSource = source;
        Form = PrefillFromSource(point!, source, RequiredTags);
        await RegionChangedAsync();
        await ImageChangedAsync();
        Validate();
    }

    /// <summary>The source instance's choices where it is known; the tags are the instance's (or the image's), never the backup's own.</summary>
    internal static LaunchForm PrefillFromSource(RecoveryPoint point, Instance? source, IReadOnlyList<string> requiredTags)
    {
        var root = source?.Volumes.OrderBy(v => v.DeviceName is "/dev/xvda" or "/dev/sda1" ? 0 : 1).FirstOrDefault();
        var form = new LaunchForm
        {
            AccountId = point.Scope.AccountId,
            Region = point.Scope.Region,
            AvailabilityZone = source?.AvailabilityZone ?? string.Empty,
            InstanceType = source?.InstanceType ?? string.Empty,
            ImageId = point.Id,
            SubnetId = source?.SubnetId,
            SecurityGroupIds = source?.SecurityGroupIds.ToList() ?? [],
            KeyName = source?.KeyName,
            VolumeSizeGiB = root?.SizeGiB ?? 8,
            VolumeType = root?.VolumeType ?? "gp3",
            Encrypted = root?.Encrypted ?? true,
            RequireImdsV2 = source?.ImdsV2Required ?? true,
            Hibernation = source?.HibernationConfigured ?? false,
            Name = source?.Name is { Length: > 0 } name ? name : point.Tags.GetValueOrDefault("Name"),
            Count = 1,
        };
        form.FillTags((source?.Tags ?? point.Tags).Where(t => !BackupTags.IsOurs(t.Key) && t.Key != "Name"), requiredTags);
        return form;
    }

    /// <summary>What the wizard would launch: for a restore, always the recovery point's image, one instance, and the restored-from tag.</summary>
    private LaunchSpec CurrentSpec()
    {
        var spec = Form.ToSpec();
        if (RestorePoint is not { } point)
        {
            return spec;
        }

        var tags = new Dictionary<string, string>(spec.Tags, StringComparer.Ordinal) { [RestoreLaunch.RestoredFromTag] = point.Id };
        return spec with { AccountId = point.Scope.AccountId, Region = point.Scope.Region, ImageId = point.Id, Count = 1, Tags = tags };
    }

    private ActionRequest CurrentRequest() =>
        RestorePoint is not null ? RestoreActions.RestoreInstanceRequest(Spec, _key) : Spec.ToActionRequest(_key);

    private Task<ActionResult> SubmitCurrentAsync(Actor actor) =>
        RestorePoint is not null ? RestoreActions.RestoreInstanceAsync(actor, Spec, _key) : Pipeline.SubmitAsync(actor, Spec.ToActionRequest(_key));

    private BackupActions RestoreActions => Services.GetRequiredService<BackupActions>();
}
