using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Backups;

/// <summary>
/// Starts DR drills and moves them on, one short step a minute: launch each instance from its latest complete copies in the DR region,
/// look whether it runs and passes its status checks (its RTO is then measured from the drill's start), remove what was launched.
/// A step saves over the version it read first, so two workers never step a drill together; a launch carries a key per drill and
/// instance, so a repeated step launches nothing twice.
/// </summary>
public sealed class DrillEngine(IBackupDrillStore drills, IBackupPolicyStore policies, IRecoveryCloud recovery, IInventory inventory, TimeProvider clock)
{
    /// <summary>How long an instance may take to run and pass its checks before the drill counts it failed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Where each instance's copies are: the DR scope of the first policy that selects it and copies.</summary>
    public async Task<IReadOnlyList<DrillItem>> PlanAsync(IEnumerable<InstanceRef> instances, CancellationToken cancellationToken = default)
    {
        var all = await policies.ListAsync(cancellationToken);
        var items = new List<DrillItem>();
        foreach (var reference in instances.Distinct())
        {
            var instance = await inventory.FindAsync(reference, cancellationToken)
                ?? throw new DomainException($"Instance {reference} is not in the inventory.");
            var policy = all.Where(p => p.Enabled && p.CopyScope is not null && p.Selects(instance)).OrderBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault()
                ?? throw new DomainException($"{instance.Name} ({instance.InstanceId}) is under no policy that copies to a DR region.");
            items.Add(new DrillItem(instance.Ref, instance.Name, instance.Tags, policy.CopyScope!.AccountId, policy.CopyScope.Region));
        }

        return items;
    }

    public async Task<BackupDrill> StartAsync(Guid id, Actor actor, IReadOnlyList<DrillItem> items, string? instanceType, CancellationToken cancellationToken = default)
    {
        if (await drills.FindAsync(id, cancellationToken) is { } existing)
        {
            return existing;
        }

        var drill = BackupDrill.Start(id, actor, items, instanceType, Timeout, clock.GetUtcNow());
        await drills.AddAsync(drill, cancellationToken);
        return drill;
    }

    public async Task<int> AdvanceActiveAsync(CancellationToken cancellationToken = default)
    {
        var changed = 0;
        foreach (var id in await drills.ActiveAsync(cancellationToken))
        {
            if (await AdvanceAsync(id, cancellationToken))
            {
                changed++;
            }
        }

        return changed;
    }

    public async Task<bool> AdvanceAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var drill = await drills.FindAsync(id, cancellationToken);
        if (drill is null || drill.IsFinished)
        {
            return false;
        }

        var read = drill.Version;
        drill.Touch();
        if (!await TrySaveAsync(drill, read, cancellationToken))
        {
            return false;
        }

        var claimed = drill.Version;
        var now = clock.GetUtcNow();
        foreach (var item in drill.Items.ToList())
        {
            drill.Update(await StepAsync(drill, item, now, cancellationToken));
        }

        drill.TryFinish(now);
        return await TrySaveAsync(drill, claimed, cancellationToken);
    }

    private async Task<DrillItem> StepAsync(BackupDrill drill, DrillItem item, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            switch (item.Status)
            {
                case DrillItemStatus.Pending:
                    return await LaunchAsync(drill, item, now, cancellationToken);
                case DrillItemStatus.Launched:
                    var health = await recovery.HealthAsync(item.DrScope, item.RestoredInstanceId!, cancellationToken);
                    if (health.State == InstanceState.Running && health.ChecksPassed)
                    {
                        // Usable: measured, then removed in the same step.
                        var recovered = item with { Status = DrillItemStatus.Recovered, RecoveredAt = now, Rto = now - drill.CreatedAt };
                        return await CleanUpAsync(recovered, cancellationToken);
                    }

                    if (health.State is InstanceState.Terminated or InstanceState.ShuttingDown or InstanceState.Stopped)
                    {
                        return await CleanUpAsync(item with { Status = DrillItemStatus.Failed, Error = $"The restored instance is {health.State.ToString().ToLowerInvariant()}. {health.Detail}".Trim() }, cancellationToken);
                    }

                    if (now >= drill.Deadline)
                    {
                        return await CleanUpAsync(item with
                        {
                            Status = DrillItemStatus.Failed,
                            Error = $"Not running with status checks passed within {Math.Round((drill.Deadline - drill.CreatedAt).TotalMinutes)} minutes ({health.State.ToString().ToLowerInvariant()}{(health.Detail is { } d ? $", {d}" : string.Empty)}).",
                        }, cancellationToken);
                    }

                    return item;
                default:
                    return item.IsDone ? item : await CleanUpAsync(item, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A launch that failed is reported; anything it made is removed on the next step.
            return item.Status == DrillItemStatus.Pending
                ? item with { Status = DrillItemStatus.Failed, Error = e.Message, CleanedUp = item.RestoredInstanceId is null }
                : item with { Error = e.Message };
        }
    }

    private async Task<DrillItem> LaunchAsync(BackupDrill drill, DrillItem item, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var copies = await recovery.InstancePointsAsync(item.DrScope, item.Source.InstanceId, cancellationToken);
        var source = await inventory.FindAsync(item.Source, cancellationToken);
        var restore = DrPlanner.Latest(copies, item.Source.InstanceId, source, drill.InstanceType, null, null);
        if (restore is null)
        {
            return item with { Status = DrillItemStatus.Failed, Error = $"No complete copy of {item.Source.InstanceId} in {item.DrRegion}." };
        }

        var tags = new Dictionary<string, string>(restore.Tags, StringComparer.Ordinal) { ["portalops:drill"] = drill.Id.ToString("N") };
        var launched = await recovery.LaunchAsync(item.DrScope, restore with { Tags = tags }, $"drill:{drill.Id:N}:{item.Source.InstanceId}", cancellationToken);
        return item with
        {
            Status = DrillItemStatus.Launched, Window = restore.Window, RestoredInstanceId = launched.InstanceId, RegisteredImageId = launched.RegisteredImageId, LaunchedAt = now,
        };
    }

    private async Task<DrillItem> CleanUpAsync(DrillItem item, CancellationToken cancellationToken)
    {
        if (item.RestoredInstanceId is null || item.CleanedUp)
        {
            return item with { CleanedUp = true };
        }

        try
        {
            await recovery.CleanUpAsync(item.DrScope, item.RestoredInstanceId, item.RegisteredImageId, cancellationToken);
            return item with { CleanedUp = true };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return item with { Error = $"{item.Error} Clean-up failed, retried next step: {e.Message}".Trim() };
        }
    }

    private async Task<bool> TrySaveAsync(BackupDrill drill, int expected, CancellationToken cancellationToken)
    {
        try
        {
            await drills.SaveAsync(drill, expected, cancellationToken);
            return true;
        }
        catch (ConcurrencyConflictException)
        {
            return false;
        }
    }
}
