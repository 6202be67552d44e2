using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Instances;
using PortalOps.Domain.LoadBalancing;

namespace PortalOps.Jobs.Persistence;

/// <summary>Registrations drains took out, in the portal database: a restart between a stop and the later start keeps them.</summary>
public sealed class EfDrainedRegistrations(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock) : IDrainedRegistrations
{
    public async Task SaveAsync(IReadOnlyList<DrainedRegistration> registrations, CancellationToken cancellationToken = default)
    {
        if (registrations.Count == 0)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        foreach (var r in registrations.DistinctBy(r => (r.Instance, r.TargetGroupArn)))
        {
            var row = await db.DrainedRegistrations.FindAsync([r.Instance.AccountId, r.Instance.Region, r.Instance.InstanceId, r.TargetGroupArn], cancellationToken);
            if (row is null)
            {
                db.DrainedRegistrations.Add(new DrainedRegistrationRow
                {
                    AccountId = r.Instance.AccountId, Region = r.Instance.Region, InstanceId = r.Instance.InstanceId, TargetGroupArn = r.TargetGroupArn,
                    TargetGroupName = r.TargetGroupName, Port = r.Port, SavedAt = now,
                });
            }
            else
            {
                row.TargetGroupName = r.TargetGroupName;
                row.Port = r.Port;
                row.SavedAt = now;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<DrainedRegistration>> TakeAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default)
    {
        var taken = new List<DrainedRegistration>();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        foreach (var instance in instances.Distinct())
        {
            var rows = await db.DrainedRegistrations
                .Where(r => r.AccountId == instance.AccountId && r.Region == instance.Region && r.InstanceId == instance.InstanceId)
                .ToListAsync(cancellationToken);
            if (rows.Count == 0)
            {
                continue;
            }

            // Deleted before it is returned: two nodes taking the same rows register once (the second deletes nothing and gets nothing).
            var deleted = await db.DrainedRegistrations
                .Where(r => r.AccountId == instance.AccountId && r.Region == instance.Region && r.InstanceId == instance.InstanceId)
                .ExecuteDeleteAsync(cancellationToken);
            if (deleted > 0)
            {
                taken.AddRange(rows.Select(ToDomain));
            }
        }

        return taken;
    }

    public async Task<IReadOnlyList<DrainedRegistration>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.DrainedRegistrations.AsNoTracking().ToListAsync(cancellationToken);
        return rows.OrderBy(r => r.SavedAt).Select(ToDomain).ToList();
    }

    private static DrainedRegistration ToDomain(DrainedRegistrationRow r) =>
        new(new InstanceRef(r.AccountId, r.Region, r.InstanceId), r.TargetGroupArn, r.TargetGroupName, r.Port) { SavedAt = r.SavedAt };
}

/// <summary>The registration index of each account and region's last read, one row per scope (JSON), replaced by newer reads only.</summary>
public sealed class EfRegistrationIndex(IDbContextFactory<PortalDbContext> contexts) : IRegistrationIndex
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task RecordAsync(RegistrationIndexSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        var json = JsonSerializer.Serialize(snapshot.Registrations.Select(r => new Entry(r.TargetGroupArn, r.TargetGroupName, r.InstanceId, r.Port)).ToList(), Json);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.RegistrationIndex.FindAsync([snapshot.Scope.AccountId, snapshot.Scope.Region], cancellationToken);
        if (row is null)
        {
            db.RegistrationIndex.Add(new RegistrationIndexRow { AccountId = snapshot.Scope.AccountId, Region = snapshot.Scope.Region, ReadAt = snapshot.ReadAt, Registrations = json });
        }
        else if (row.ReadAt <= snapshot.ReadAt)
        {
            row.ReadAt = snapshot.ReadAt;
            row.Registrations = json;
        }
        else
        {
            return;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another node recorded its read of the scope at the same time: either read serves as the index.
        }
    }

    public async Task<RegistrationIndexSnapshot?> LatestAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.RegistrationIndex.AsNoTracking().FirstOrDefaultAsync(r => r.AccountId == scope.AccountId && r.Region == scope.Region, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var entries = JsonSerializer.Deserialize<List<Entry>>(row.Registrations, Json) ?? [];
        return new RegistrationIndexSnapshot(scope, row.ReadAt, entries.Select(e => new IndexedRegistration(e.Arn, e.Name, e.Instance, e.Port)).ToList());
    }

    private sealed record Entry(string Arn, string Name, string Instance, int? Port);
}

/// <summary>Each instance's latest drain report, one row per instance.</summary>
public sealed class EfDrainProgressStore(IDbContextFactory<PortalDbContext> contexts) : IDrainProgressStore
{
    public async Task SaveAsync(DrainProgress progress, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        foreach (var instance in progress.Instances.Distinct())
        {
            var row = await db.DrainProgress.FindAsync([instance.AccountId, instance.Region, instance.InstanceId], cancellationToken);
            if (row is null)
            {
                row = new DrainProgressRow { AccountId = instance.AccountId, Region = instance.Region, InstanceId = instance.InstanceId };
                db.DrainProgress.Add(row);
            }

            row.TargetGroups = Trim(progress.TargetGroups);
            row.Registrations = progress.Registrations;
            row.StillDraining = progress.StillDraining;
            row.WaitedSeconds = (int)progress.Waited.TotalSeconds;
            row.BoundSeconds = (int)progress.Bound.TotalSeconds;
            row.Outcome = progress.Outcome is null ? null : Trim(progress.Outcome);
            row.UpdatedAt = at;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The same instance reported by two drains at once: the other report stands.
        }
    }

    public async Task<DrainState?> FindAsync(InstanceRef instance, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.DrainProgress.AsNoTracking()
            .FirstOrDefaultAsync(r => r.AccountId == instance.AccountId && r.Region == instance.Region && r.InstanceId == instance.InstanceId, cancellationToken);
        return row is null
            ? null
            : new DrainState(instance, new DrainProgress([instance], row.TargetGroups, row.Registrations, row.StillDraining, TimeSpan.FromSeconds(row.WaitedSeconds), TimeSpan.FromSeconds(row.BoundSeconds), row.Outcome), row.UpdatedAt);
    }

    private static string Trim(string s) => s.Length <= 2000 ? s : s[..1997] + "…";
}
