using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Common;
using PortalOps.Domain.Scaling;

namespace PortalOps.Jobs.Persistence;

// Off-hours tables: schedule versions (content as JSON), overrides, and the scheduler's records keyed once per source, resource and moment.

/// <summary>One version of an off-hours schedule; every edit adds a row.</summary>
internal sealed class OffHoursScheduleRow
{
    public Guid Id { get; set; }

    public int Version { get; set; }

    public string Name { get; set; } = string.Empty;

    /// <summary>JSON of <see cref="ScheduleContent"/>.</summary>
    public string Content { get; set; } = "{}";

    public Guid UpdatedBy { get; set; }

    public string UpdatedByName { get; set; } = string.Empty;

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>"Keep running until" for one resource.</summary>
internal sealed class OffHoursOverrideRow
{
    public Guid Id { get; set; }

    /// <summary>The resource's key ("i:account/region/id" or "g:account/region/name").</summary>
    public string Resource { get; set; } = string.Empty;

    public DateTimeOffset Until { get; set; }

    public Guid By { get; set; }

    public string ByName { get; set; } = string.Empty;

    public string? Reason { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One thing the scheduler did or decided for one resource at one moment; <see cref="Key"/> is taken once across nodes.</summary>
internal sealed class OffHoursEdgeRow
{
    public string Key { get; set; } = string.Empty;

    public Guid? ScheduleId { get; set; }

    public string ScheduleName { get; set; } = string.Empty;

    public string Resource { get; set; } = string.Empty;

    public DateTimeOffset At { get; set; }

    public EdgeAction Action { get; set; }

    public EdgeOutcome Outcome { get; set; }

    public string? Summary { get; set; }

    public int? PreviousMin { get; set; }

    public int? PreviousDesired { get; set; }

    public int? PreviousMax { get; set; }

    public DateTimeOffset ClaimedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }
}

internal static class OffHoursModel
{
    public const int KeyLength = 200;

    public static void Configure(ModelBuilder model)
    {
        var schedule = model.Entity<OffHoursScheduleRow>();
        schedule.ToTable("OffHoursSchedules");
        schedule.HasKey(s => new { s.Id, s.Version });
        schedule.Property(s => s.Name).HasMaxLength(64);
        schedule.Property(s => s.UpdatedByName).HasMaxLength(200);
        schedule.HasIndex(s => s.Name);

        var keep = model.Entity<OffHoursOverrideRow>();
        keep.ToTable("OffHoursOverrides");
        keep.HasKey(o => o.Id);
        keep.Property(o => o.Id).ValueGeneratedNever();
        keep.Property(o => o.Resource).HasMaxLength(400);
        keep.Property(o => o.ByName).HasMaxLength(200);
        keep.Property(o => o.Reason).HasMaxLength(500);
        keep.HasIndex(o => o.Until);

        var edge = model.Entity<OffHoursEdgeRow>();
        edge.ToTable("OffHoursEdges");
        edge.HasKey(e => e.Key);
        edge.Property(e => e.Key).HasMaxLength(KeyLength + 8);
        edge.Property(e => e.ScheduleName).HasMaxLength(200);
        edge.Property(e => e.Resource).HasMaxLength(400);
        edge.Property(e => e.Action).HasConversion<string>().HasMaxLength(16);
        edge.Property(e => e.Outcome).HasConversion<string>().HasMaxLength(16);
        edge.Property(e => e.Summary).HasMaxLength(2000);
        edge.HasIndex(e => e.At);
        edge.HasIndex(e => e.ClaimedAt);
    }
}

/// <summary>Off-hours schedules, overrides and records in the portal database.</summary>
public sealed class EfOffHoursStore(IDbContextFactory<PortalDbContext> contexts) : IOffHoursStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IReadOnlyList<SavedSchedule>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<OffHoursScheduleRow>().AsNoTracking().ToListAsync(cancellationToken);
        return rows.GroupBy(r => r.Id).Select(g => ToSchedule(g.MaxBy(r => r.Version)!) with { CreatedAt = g.Min(r => r.UpdatedAt) })
            .OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    public async Task<SavedSchedule?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<OffHoursScheduleRow>().AsNoTracking().Where(r => r.Id == id).ToListAsync(cancellationToken);
        return rows.Count == 0 ? null : ToSchedule(rows.MaxBy(r => r.Version)!) with { CreatedAt = rows.Min(r => r.UpdatedAt) };
    }

    public async Task<IReadOnlyList<SavedSchedule>> HistoryAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<OffHoursScheduleRow>().AsNoTracking().Where(r => r.Id == id).OrderByDescending(r => r.Version).ToListAsync(cancellationToken);
        return rows.Select(ToSchedule).ToList();
    }

    public async Task AddVersionAsync(SavedSchedule schedule, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var name = schedule.Name;
        if (await db.Set<OffHoursScheduleRow>().AnyAsync(r => r.Name == name && r.Id != schedule.Id, cancellationToken))
        {
            throw new ConcurrencyConflictException($"A schedule called {name} exists already.");
        }

        db.Set<OffHoursScheduleRow>().Add(new OffHoursScheduleRow
        {
            Id = schedule.Id, Version = schedule.Version, Name = name, Content = JsonSerializer.Serialize(schedule.Content, Json),
            UpdatedBy = schedule.UpdatedBy, UpdatedByName = schedule.UpdatedByName, UpdatedAt = schedule.UpdatedAt,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DatabaseErrors.IsUniqueViolation(e))
        {
            throw new ConcurrencyConflictException($"Schedule {name} was changed meanwhile (version {schedule.Version} exists); reload and edit again.");
        }
    }

    public async Task<bool> AddOverrideAsync(ScheduleOverride value, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Set<OffHoursOverrideRow>().Add(new OffHoursOverrideRow
        {
            Id = value.Id, Resource = value.Resource.Key, Until = value.Until, By = value.By, ByName = value.ByName, Reason = value.Reason, CreatedAt = value.CreatedAt,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e) when (DatabaseErrors.IsUniqueViolation(e))
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<ScheduleOverride>> OverridesEndingSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<OffHoursOverrideRow>().AsNoTracking().Where(o => o.Until >= since).ToListAsync(cancellationToken);
        return rows
            .Select(r => OffHoursResource.FromKey(r.Resource) is { } resource ? new ScheduleOverride(r.Id, resource, r.Until, r.By, r.ByName, r.Reason, r.CreatedAt) : null)
            .OfType<ScheduleOverride>()
            .ToList();
    }

    public async Task<bool> TryClaimAsync(EdgeRecord record, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Set<OffHoursEdgeRow>().Add(new OffHoursEdgeRow
        {
            Key = Stored(record.Key), ScheduleId = record.ScheduleId, ScheduleName = record.ScheduleName, Resource = record.Resource.Key, At = record.At,
            Action = record.Action, Outcome = record.Outcome, Summary = Clip(record.Summary), ClaimedAt = record.ClaimedAt, CompletedAt = record.CompletedAt,
            PreviousMin = record.Previous?.MinSize, PreviousDesired = record.Previous?.DesiredCapacity, PreviousMax = record.Previous?.MaxSize,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e) when (DatabaseErrors.IsUniqueViolation(e))
        {
            return false;
        }
    }

    public async Task<EdgeRecord?> FindRecordAsync(string key, CancellationToken cancellationToken = default)
    {
        var stored = Stored(key);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<OffHoursEdgeRow>().AsNoTracking().SingleOrDefaultAsync(r => r.Key == stored, cancellationToken);
        return row is null ? null : ToRecord(row, key);
    }

    public async Task CompleteAsync(string key, EdgeOutcome outcome, string? summary, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var stored = Stored(key);
        var text = Clip(summary);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Set<OffHoursEdgeRow>().Where(r => r.Key == stored)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.Outcome, outcome).SetProperty(r => r.Summary, text).SetProperty(r => r.CompletedAt, at), cancellationToken);
    }

    public async Task<IReadOnlyList<EdgeRecord>> RecordsSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<OffHoursEdgeRow>().AsNoTracking().Where(r => r.At >= since).ToListAsync(cancellationToken);
        return rows.Select(r => ToRecord(r, r.Key)).OfType<EdgeRecord>().ToList();
    }

    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var records = await db.Set<OffHoursEdgeRow>().Where(r => r.At < before).ExecuteDeleteAsync(cancellationToken);
        return records + await db.Set<OffHoursOverrideRow>().Where(o => o.Until < before).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Keys longer than the column are stored as their SHA-256, still unique (the planner matches on the key it made).</summary>
    internal static string Stored(string key) =>
        key.Length <= OffHoursModel.KeyLength
            ? key
            : "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));

    private static string? Clip(string? text) => text is { Length: > 2000 } ? text[..2000] : text;

    private static EdgeRecord? ToRecord(OffHoursEdgeRow r, string key) =>
        OffHoursResource.FromKey(r.Resource) is { } resource
            ? new EdgeRecord(key, r.ScheduleId, r.ScheduleName, resource, r.At, r.Action, r.Outcome, r.Summary, r.ClaimedAt)
            {
                CompletedAt = r.CompletedAt,
                Previous = r is { PreviousMin: { } min, PreviousDesired: { } desired, PreviousMax: { } max } ? new CapacityChange(min, desired, max) : null,
            }
            : null;

    private static SavedSchedule ToSchedule(OffHoursScheduleRow r) =>
        new(r.Id, r.Version, JsonSerializer.Deserialize<ScheduleContent>(r.Content, Json)!, r.UpdatedBy, r.UpdatedByName, r.UpdatedAt);
}
