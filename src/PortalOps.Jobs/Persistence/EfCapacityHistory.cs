using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Scaling;

namespace PortalOps.Jobs.Persistence;

/// <summary>Capacity history in the portal database: one row per group and moment, written once however often it is recorded.</summary>
public sealed class EfCapacityHistory(IDbContextFactory<PortalDbContext> contexts) : ICapacityHistory
{
    private const int Chunk = 500;

    public async Task<int> RecordAsync(IReadOnlyList<CapacitySample> samples, CancellationToken cancellationToken = default)
    {
        var added = 0;
        foreach (var chunk in samples.DistinctBy(s => (s.Group, s.At)).Chunk(Chunk))
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var keys = chunk.Select(s => s.Group.ToString()).Distinct().ToList();
            var from = chunk.Min(s => s.At);
            var to = chunk.Max(s => s.At);
            var existing = (await db.CapacitySamples.AsNoTracking()
                    .Where(r => keys.Contains(r.Group) && r.At >= from && r.At <= to)
                    .Select(r => new { r.Group, r.At })
                    .ToListAsync(cancellationToken))
                .Select(r => (r.Group, r.At.UtcTicks))
                .ToHashSet();
            var fresh = chunk.Where(s => !existing.Contains((s.Group.ToString(), s.At.UtcTicks))).Select(ToRow).ToList();
            if (fresh.Count == 0)
            {
                continue;
            }

            db.CapacitySamples.AddRange(fresh);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                added += fresh.Count;
            }
            catch (DbUpdateException)
            {
                // Another run recorded some of these moments meanwhile: add the rest one by one, keeping theirs.
                added += await AddEachAsync(fresh, cancellationToken);
            }
        }

        return added;
    }

    public async Task<IReadOnlyList<CapacitySample>> ReadAsync(GroupRef group, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var key = group.ToString();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.CapacitySamples.AsNoTracking()
            .Where(r => r.Group == key && r.At >= from && r.At <= to)
            .OrderBy(r => r.At)
            .ToListAsync(cancellationToken);
        return rows.Select(r => new CapacitySample(group, r.At, r.MinSize, r.DesiredCapacity, r.MaxSize, r.InService, r.Pending, r.Unhealthy)).ToList();
    }

    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.CapacitySamples.Where(r => r.At < before).ExecuteDeleteAsync(cancellationToken);
    }

    private async Task<int> AddEachAsync(IReadOnlyList<CapacitySampleRow> rows, CancellationToken cancellationToken)
    {
        var added = 0;
        foreach (var row in rows)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            db.CapacitySamples.Add(row);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                added++;
            }
            catch (DbUpdateException)
            {
                // Already there.
            }
        }

        return added;
    }

    private static CapacitySampleRow ToRow(CapacitySample s) => new()
    {
        Group = s.Group.ToString(), At = s.At, MinSize = s.MinSize, DesiredCapacity = s.DesiredCapacity, MaxSize = s.MaxSize,
        InService = s.InService, Pending = s.Pending, Unhealthy = s.Unhealthy,
    };
}
