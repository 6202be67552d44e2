using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Persistence;

internal static class BackupsJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T? Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Options);
}

/// <summary>Backup policies: one row per version.</summary>
public sealed class EfBackupPolicyStore(IDbContextFactory<PortalDbContext> contexts) : IBackupPolicyStore
{
    public async Task<IReadOnlyList<BackupPolicy>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<BackupPolicyRow>().AsNoTracking().ToListAsync(cancellationToken);
        return rows.GroupBy(r => r.Id).Select(g => ToPolicy(g.MaxBy(r => r.Version)!)).OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    public async Task<BackupPolicy?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<BackupPolicyRow>().AsNoTracking().Where(r => r.Id == id).OrderByDescending(r => r.Version).FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : ToPolicy(row);
    }

    public async Task<IReadOnlyList<BackupPolicy>> HistoryAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<BackupPolicyRow>().AsNoTracking().Where(r => r.Id == id).OrderByDescending(r => r.Version).ToListAsync(cancellationToken);
        return rows.Select(ToPolicy).ToList();
    }

    public async Task AddVersionAsync(BackupPolicy policy, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var (account, region, tags) = FootprintFilter.Columns(policy.Footprint);
        db.Set<BackupPolicyRow>().Add(new BackupPolicyRow
        {
            Id = policy.Id, Version = policy.Version, Name = policy.Name, Enabled = policy.Enabled, Content = BackupsJson.Write(policy.Content),
            CreatedAt = policy.CreatedAt, UpdatedBy = policy.UpdatedBy, UpdatedByName = policy.UpdatedByName, UpdatedAt = policy.UpdatedAt,
            FootprintAccount = account, FootprintRegion = region, FootprintTags = tags,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DatabaseErrors.IsUniqueViolation(e))
        {
            throw new ConcurrencyConflictException($"Policy {policy.Name} was changed meanwhile (version {policy.Version} exists); reload and edit again.");
        }
    }

    private static BackupPolicy ToPolicy(BackupPolicyRow r) =>
        BackupPolicy.FromStore(r.Id, r.Version, r.CreatedAt, BackupsJson.Read<BackupPolicyDraft>(r.Content)!, r.UpdatedBy, r.UpdatedByName, r.UpdatedAt);
}

/// <summary>Backup runs: the key is unique, saves compare the version read.</summary>
public sealed class EfBackupRunStore(IDbContextFactory<PortalDbContext> contexts) : IBackupRunStore
{
    public async Task<bool> TryAddAsync(BackupRun run, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Set<BackupRunRow>().AnyAsync(r => r.Key == run.Key, cancellationToken))
        {
            return false;
        }

        db.Set<BackupRunRow>().Add(ToRow(run));
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

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<BackupRunRow>().AnyAsync(r => r.Key == key, cancellationToken);
    }

    public async Task<BackupRun?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<BackupRunRow>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        return row is null ? null : ToRun(row);
    }

    public async Task<IReadOnlyList<Guid>> ActiveAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<BackupRunRow>().Where(r => r.IsActive).OrderBy(r => r.CreatedAt).Select(r => r.Id).ToListAsync(cancellationToken);
    }

    public async Task SaveAsync(BackupRun run, int expectedVersion, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = ToRow(run);
        var updated = await db.Set<BackupRunRow>().Where(r => r.Id == run.Id && r.Version == expectedVersion).ExecuteUpdateAsync(u => u
            .SetProperty(r => r.Status, row.Status).SetProperty(r => r.IsActive, row.IsActive).SetProperty(r => r.FinishedAt, row.FinishedAt)
            .SetProperty(r => r.Succeeded, row.Succeeded).SetProperty(r => r.Failed, row.Failed).SetProperty(r => r.Pruned, row.Pruned)
            .SetProperty(r => r.PruneNote, row.PruneNote).SetProperty(r => r.PruneDone, row.PruneDone).SetProperty(r => r.Version, row.Version).SetProperty(r => r.LeaseUntil, row.LeaseUntil)
            .SetProperty(r => r.Items, row.Items), cancellationToken);
        if (updated != 1)
        {
            throw new ConcurrencyConflictException("The backup run changed meanwhile.");
        }
    }

    public async Task<Page<BackupRun>> QueryAsync(ReadScope scope, BackupRunQuery query, CancellationToken cancellationToken = default)
    {
        var size = Math.Clamp(query.PageSize, 1, 200);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = db.Set<BackupRunRow>().AsNoTracking().Visible(scope);
        if (query.PolicyId is { } policy)
        {
            rows = rows.Where(r => r.PolicyId == policy);
        }

        if (query.Status is { } status)
        {
            rows = rows.Where(r => r.Status == status);
        }

        if (query.Since is { } since)
        {
            rows = rows.Where(r => r.CreatedAt >= since);
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var text = query.Search.Trim();
            rows = rows.Where(r => r.PolicyName.Contains(text) || r.RuleName.Contains(text));
        }

        var total = await rows.CountAsync(cancellationToken);
        var page = await rows.OrderByDescending(r => r.CreatedAt).Skip(query.PageIndex * size).Take(size).ToListAsync(cancellationToken);
        return new Page<BackupRun>(page.Select(ToRun).ToList(), total, query.PageIndex, size);
    }

    public async Task<IReadOnlyList<BackupRun>> FinishedSinceAsync(ReadScope scope, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<BackupRunRow>().AsNoTracking().Visible(scope).Where(r => r.FinishedAt != null && r.FinishedAt >= since)
            .OrderByDescending(r => r.FinishedAt).Take(1000).ToListAsync(cancellationToken);
        return rows.Select(ToRun).ToList();
    }

    private static BackupRunRow ToRow(BackupRun run)
    {
        var (account, region, tags) = FootprintFilter.Columns(run.Footprint);
        return new BackupRunRow
        {
            Id = run.Id, Key = run.Key, PolicyId = run.PolicyId, PolicyVersion = run.PolicyVersion, PolicyName = run.PolicyName, RuleName = run.RuleName,
            WindowStart = run.WindowStart, AccountId = run.AccountId, Region = run.Region, Tags = BackupsJson.Write(run.Tags), Kind = run.Kind,
            Status = run.Status, IsActive = !run.IsFinished || !run.PruneDone, CreatedAt = run.CreatedAt, FinishedAt = run.FinishedAt,
            Succeeded = run.Count(BackupItemStatus.Succeeded), Failed = run.Count(BackupItemStatus.Failed), Total = run.Items.Count,
            Pruned = run.Pruned, PruneNote = Fit(run.PruneNote, 4000), PruneDone = run.PruneDone, Version = run.Version, LeaseUntil = run.LeaseUntil, Items = BackupsJson.Write(run.Items),
            FootprintAccount = account, FootprintRegion = region, FootprintTags = tags,
        };
    }

    private static BackupRun ToRun(BackupRunRow r) =>
        BackupRun.FromStore(r.Id, r.Key, r.PolicyId, r.PolicyVersion, r.PolicyName, r.RuleName, r.WindowStart, r.AccountId, r.Region,
            BackupsJson.Read<Dictionary<string, string>>(r.Tags) ?? [], r.Kind, r.Status, r.CreatedAt, r.FinishedAt, r.Pruned, r.PruneNote, r.PruneDone,
            r.Version, BackupsJson.Read<List<BackupItem>>(r.Items) ?? [], r.LeaseUntil);

    private static string? Fit(string? text, int max) => text is null || text.Length <= max ? text : text[..max];
}

/// <summary>The latest backup per policy and instance.</summary>
public sealed class EfBackupProtectionStore(IDbContextFactory<PortalDbContext> contexts) : IBackupProtectionStore
{
    public async Task RecordAsync(BackupRun run, BackupPolicy policy, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var keys = run.Items.Select(i => i.Instance.ToString()).ToList();
        var existing = await db.Set<BackupProtectionRow>().Where(p => p.PolicyId == run.PolicyId && keys.Contains(p.Instance)).ToDictionaryAsync(p => p.Instance, StringComparer.Ordinal, cancellationToken);
        foreach (var item in run.Items)
        {
            var key = item.Instance.ToString();
            if (!existing.TryGetValue(key, out var row))
            {
                row = new BackupProtectionRow { PolicyId = run.PolicyId, Instance = key, FirstAttemptAt = run.WindowStart };
                db.Add(row);
            }

            var (account, region, tags) = FootprintFilter.Columns(Footprint.Of(item.Instance.AccountId, item.Instance.Region, item.Tags));
            row.Name = item.Name;
            row.PolicyName = policy.Name;
            row.RpoHours = policy.Content.RpoHours;
            row.Copies = policy.Copy is not null;
            row.FootprintAccount = account;
            row.FootprintRegion = region;
            row.FootprintTags = tags;
            row.LastAttemptAt = Max(row.LastAttemptAt, run.WindowStart);
            if (item.CompletedAt is not null && (item.Status == BackupItemStatus.Succeeded || item.CopyIds.Count == 0))
            {
                row.LastBackupAt = Max(row.LastBackupAt, run.WindowStart);
            }

            if (item.CopiedAt is not null)
            {
                row.LastCopyAt = Max(row.LastCopyAt, run.WindowStart);
            }

            if (run.IsFinished)
            {
                row.LastError = item.Status == BackupItemStatus.Failed ? (item.Error is { Length: > 2000 } e ? e[..2000] : item.Error) : null;
            }

            row.DueBy = ToInstance(row).DueBy;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<Page<ProtectedInstance>> QueryAsync(ProtectionQuery query, CancellationToken cancellationToken = default)
    {
        var size = Math.Clamp(query.PageSize, 1, ProtectionQuery.MaxPageSize);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = db.Set<BackupProtectionRow>().AsNoTracking().Visible(query.Scope);
        if (query.PolicyId is { } policy)
        {
            rows = rows.Where(r => r.PolicyId == policy);
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var text = query.Search.Trim();
            rows = rows.Where(r => r.Instance.Contains(text) || r.Name.Contains(text) || r.PolicyName.Contains(text));
        }

        if (query.MissedOnly)
        {
            var now = query.Now;
            rows = rows.Where(r => r.DueBy != null && r.DueBy < now);
        }

        var total = await rows.CountAsync(cancellationToken);
        var page = await rows.OrderBy(r => r.DueBy).ThenBy(r => r.Instance).Skip(query.PageIndex * size).Take(size).ToListAsync(cancellationToken);
        return new Page<ProtectedInstance>(page.Select(ToInstance).ToList(), total, query.PageIndex, size);
    }

    public async Task<IReadOnlyList<ProtectedInstance>> ListAsync(ReadScope scope, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<BackupProtectionRow>().AsNoTracking().Visible(scope).ToListAsync(cancellationToken);
        return rows.Select(ToInstance).ToList();
    }

    private static ProtectedInstance ToInstance(BackupProtectionRow r)
    {
        InstanceRef.TryParse(r.Instance, out var instance);
        var footprint = FootprintFilter.Read(r.FootprintAccount, r.FootprintRegion, r.FootprintTags);
        return new ProtectedInstance(r.PolicyId, r.PolicyName, instance!, r.Name, TimeSpan.FromHours(r.RpoHours), r.Copies, r.LastBackupAt, r.LastCopyAt,
            r.FirstAttemptAt, r.LastAttemptAt, r.LastError, footprint?.Tags ?? new Dictionary<string, string>());
    }

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;
}

/// <summary>DR drills: saves compare the version read.</summary>
public sealed class EfBackupDrillStore(IDbContextFactory<PortalDbContext> contexts) : IBackupDrillStore
{
    public async Task AddAsync(BackupDrill drill, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Set<BackupDrillRow>().Add(ToRow(drill));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DatabaseErrors.IsUniqueViolation(e))
        {
            throw new ConcurrencyConflictException($"Drill {drill.Id:N} exists already.");
        }
    }

    public async Task<BackupDrill?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<BackupDrillRow>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        return row is null ? null : ToDrill(row);
    }

    public async Task<IReadOnlyList<Guid>> ActiveAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<BackupDrillRow>().Where(d => d.IsActive).OrderBy(d => d.CreatedAt).Select(d => d.Id).ToListAsync(cancellationToken);
    }

    public async Task SaveAsync(BackupDrill drill, int expectedVersion, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = ToRow(drill);
        var updated = await db.Set<BackupDrillRow>().Where(d => d.Id == drill.Id && d.Version == expectedVersion).ExecuteUpdateAsync(u => u
            .SetProperty(d => d.Status, row.Status).SetProperty(d => d.IsActive, row.IsActive).SetProperty(d => d.FinishedAt, row.FinishedAt)
            .SetProperty(d => d.RtoSeconds, row.RtoSeconds).SetProperty(d => d.Recovered, row.Recovered).SetProperty(d => d.Version, row.Version)
            .SetProperty(d => d.Items, row.Items), cancellationToken);
        if (updated != 1)
        {
            throw new ConcurrencyConflictException("The drill changed meanwhile.");
        }
    }

    public async Task<Page<BackupDrill>> QueryAsync(ReadScope scope, int pageIndex, int pageSize, CancellationToken cancellationToken = default)
    {
        var size = Math.Clamp(pageSize, 1, 200);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = db.Set<BackupDrillRow>().AsNoTracking().Visible(scope);
        var total = await rows.CountAsync(cancellationToken);
        var page = await rows.OrderByDescending(d => d.CreatedAt).Skip(pageIndex * size).Take(size).ToListAsync(cancellationToken);
        return new Page<BackupDrill>(page.Select(ToDrill).ToList(), total, pageIndex, size);
    }

    private static BackupDrillRow ToRow(BackupDrill drill)
    {
        var (account, region, tags) = FootprintFilter.Columns(drill.Footprint);
        return new BackupDrillRow
        {
            Id = drill.Id, RequestedBy = drill.RequestedBy, RequestedByName = drill.RequestedByName, CreatedAt = drill.CreatedAt, Deadline = drill.Deadline,
            InstanceType = drill.InstanceType, Status = drill.Status, IsActive = !drill.IsFinished, FinishedAt = drill.FinishedAt, RtoSeconds = drill.Rto?.TotalSeconds,
            Total = drill.Items.Count, Recovered = drill.Items.Count(i => i.Status == DrillItemStatus.Recovered), Version = drill.Version,
            Items = BackupsJson.Write(drill.Items), FootprintAccount = account, FootprintRegion = region, FootprintTags = tags,
        };
    }

    private static BackupDrill ToDrill(BackupDrillRow r) =>
        BackupDrill.FromStore(r.Id, r.RequestedBy, r.RequestedByName, r.CreatedAt, r.Deadline, r.InstanceType, r.Status, r.FinishedAt, r.Version,
            BackupsJson.Read<List<DrillItem>>(r.Items) ?? []);
}

/// <summary>Notifications already sent, by key: inserting a key twice is refused, so a notice goes out once across nodes.</summary>
public sealed class EfBackupNotices(IDbContextFactory<PortalDbContext> contexts) : IBackupNotices
{
    public async Task<IReadOnlySet<string>> UnsentAsync(IReadOnlyCollection<string> keys, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (keys.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var list = keys.ToList();
        var sent = await db.Set<BackupNoticeRow>().Where(n => list.Contains(n.Key)).Select(n => n.Key).ToListAsync(cancellationToken);
        var fresh = keys.Except(sent, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in fresh)
        {
            db.Set<BackupNoticeRow>().Add(new BackupNoticeRow { Key = key.Length <= 300 ? key : key[..300], SentAt = now });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                claimed.Add(key);
            }
            catch (DbUpdateException e) when (DatabaseErrors.IsUniqueViolation(e))
            {
                db.ChangeTracker.Clear();
            }
        }

        // Keys older than 90 days are never asked for again.
        await db.Set<BackupNoticeRow>().Where(n => n.SentAt < now.AddDays(-90)).ExecuteDeleteAsync(cancellationToken);
        return claimed;
    }
}
