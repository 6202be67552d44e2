using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Persistence;

/// <summary>Patch runs in two tables: the run (waves as JSON, a version for optimistic concurrency) and one row per instance.</summary>
public sealed class EfPatchRunStore(IDbContextFactory<PortalDbContext> contexts) : IPatchRunStore
{
    public async Task AddAsync(PatchRun run, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Set<PatchRunRow>().Add(ToRow(run));
        db.Set<PatchRunTargetRow>().AddRange(run.Targets.Select(t => ToRow(run.Id, t)));
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<PatchRun?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<PatchRunRow>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        return row is null ? null : await LoadAsync(db, row, cancellationToken);
    }

    public async Task<PatchRun?> FindByKeyAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<PatchRunRow>().AsNoTracking().FirstOrDefaultAsync(r => r.IdempotencyKey == idempotencyKey, cancellationToken);
        return row is null ? null : await LoadAsync(db, row, cancellationToken);
    }

    public async Task SaveAsync(PatchRun run, int expectedVersion, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = ToRow(run);
        var updated = await db.Set<PatchRunRow>().Where(r => r.Id == run.Id && r.Version == expectedVersion).ExecuteUpdateAsync(u => u
            .SetProperty(r => r.Status, row.Status).SetProperty(r => r.IsActive, row.IsActive).SetProperty(r => r.StatusReason, row.StatusReason)
            .SetProperty(r => r.ApprovalId, row.ApprovalId).SetProperty(r => r.FinishedAt, row.FinishedAt).SetProperty(r => r.Version, row.Version)
            .SetProperty(r => r.Waves, row.Waves), cancellationToken);
        if (updated != 1)
        {
            throw new ConcurrencyConflictException("The patch run changed meanwhile.");
        }

        var stored = await db.Set<PatchRunTargetRow>().Where(t => t.RunId == run.Id).ToDictionaryAsync(t => t.Instance, StringComparer.Ordinal, cancellationToken);
        foreach (var target in run.Targets)
        {
            var fresh = ToRow(run.Id, target);
            if (!stored.TryGetValue(fresh.Instance, out var old))
            {
                db.Add(fresh);
            }
            else if (old.Status != fresh.Status || old.CommandId != fresh.CommandId || old.Output != fresh.Output || old.SendingSince != fresh.SendingSince || old.Reason != fresh.Reason)
            {
                db.Entry(old).CurrentValues.SetValues(fresh);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Guid>> ActiveAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<PatchRunRow>().AsNoTracking().Where(r => r.IsActive).OrderBy(r => r.CreatedAt).Select(r => r.Id).ToListAsync(cancellationToken);
    }

    public async Task<Page<PatchRun>> QueryAsync(ReadScope scope, int pageIndex, int pageSize, CancellationToken cancellationToken = default)
    {
        pageSize = Math.Clamp(pageSize, 1, 100);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var visible = db.Set<PatchRunRow>().AsNoTracking().Visible(scope);
        var total = await visible.CountAsync(cancellationToken);
        var rows = await visible.OrderByDescending(r => r.CreatedAt).Skip(pageIndex * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        var runs = new List<PatchRun>(rows.Count);
        foreach (var row in rows)
        {
            runs.Add(await LoadAsync(db, row, cancellationToken));
        }

        return new Page<PatchRun>(runs, total, pageIndex, pageSize);
    }

    private static async Task<PatchRun> LoadAsync(PortalDbContext db, PatchRunRow r, CancellationToken cancellationToken)
    {
        var targets = await db.Set<PatchRunTargetRow>().AsNoTracking().Where(t => t.RunId == r.Id).ToListAsync(cancellationToken);
        return PatchRun.FromStore(r.Id, r.IdempotencyKey, r.GroupName, new WavePlan(r.CanaryPercent, r.BatchPercent), r.Reboot, TimeSpan.FromMinutes(r.HealthQuietMinutes),
            r.WindowId, r.WindowName, r.WindowEndsAt, r.RequestedBy, r.RequestedByName, r.CreatedAt,
            FootprintFilter.Read(r.FootprintAccount, r.FootprintRegion, r.FootprintTags) ?? Footprint.Of(string.Empty, string.Empty, null),
            r.Status, r.StatusReason, r.ApprovalId, r.FinishedAt, r.Version,
            targets.OrderBy(t => t.Wave < 0 ? int.MaxValue : t.Wave).ThenBy(t => t.Instance, StringComparer.Ordinal).Select(t => new PatchRunTarget(ParseRef(t.Instance), t.Name, t.Wave, t.Status)
            {
                CommandId = t.CommandId, Reason = t.Reason, Output = t.Output, OutputTruncated = t.OutputTruncated, ResponseCode = t.ResponseCode,
                SendingSince = t.SendingSince, FinishedAt = t.FinishedAt,
            }),
            PatchingJson.Read<List<PatchWave>>(r.Waves) ?? []);
    }

    private static PatchRunRow ToRow(PatchRun run)
    {
        var (account, region, tags) = FootprintFilter.Columns(run.Footprint);
        return new PatchRunRow
        {
            Id = run.Id, IdempotencyKey = run.IdempotencyKey, GroupName = run.GroupName, CanaryPercent = run.Plan.CanaryPercent, BatchPercent = run.Plan.BatchPercent,
            Reboot = run.Reboot, HealthQuietMinutes = (int)run.HealthQuiet.TotalMinutes, WindowId = run.WindowId, WindowName = run.WindowName, WindowEndsAt = run.WindowEndsAt,
            RequestedBy = run.RequestedBy, RequestedByName = run.RequestedByName, CreatedAt = run.CreatedAt, Status = run.Status, IsActive = !run.IsFinished,
            StatusReason = run.StatusReason is { Length: > 2000 } text ? text[..2000] : run.StatusReason, ApprovalId = run.ApprovalId, FinishedAt = run.FinishedAt,
            Version = run.Version, Waves = PatchingJson.Write(run.Waves), FootprintAccount = account, FootprintRegion = region, FootprintTags = tags,
        };
    }

    private static PatchRunTargetRow ToRow(Guid runId, PatchRunTarget t) => new()
    {
        RunId = runId, Instance = t.Instance.ToString(), Name = t.Name, Wave = t.Wave, Status = t.Status, CommandId = t.CommandId,
        Reason = t.Reason is { Length: > 2000 } r ? r[..2000] : t.Reason, Output = PatchRunTarget.Truncate(t.Output).Text, OutputTruncated = t.OutputTruncated || PatchRunTarget.Truncate(t.Output).Truncated,
        ResponseCode = t.ResponseCode, SendingSince = t.SendingSince, FinishedAt = t.FinishedAt,
    };

    internal static InstanceRef ParseRef(string text) => InstanceRef.TryParse(text, out var r) ? r! : new InstanceRef(string.Empty, string.Empty, text);
}

/// <summary>Baselines (a row per version) and patch groups.</summary>
public sealed class EfPatchCatalog(IDbContextFactory<PortalDbContext> contexts) : IPatchCatalog
{
    public async Task<IReadOnlyList<PatchBaseline>> BaselinesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<PatchBaselineRow>().AsNoTracking()
            .Where(b => b.Version == db.Set<PatchBaselineRow>().Where(o => o.Id == b.Id).Max(o => o.Version))
            .ToListAsync(cancellationToken);
        return rows.OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase).Select(ToBaseline).ToList();
    }

    public async Task<IReadOnlyList<PatchBaseline>> HistoryAsync(Guid baselineId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<PatchBaselineRow>().AsNoTracking().Where(b => b.Id == baselineId).OrderBy(b => b.Version).ToListAsync(cancellationToken);
        return rows.Select(ToBaseline).ToList();
    }

    public async Task AddVersionAsync(PatchBaseline baseline, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Set<PatchBaselineRow>().Add(new PatchBaselineRow
        {
            Id = baseline.Id, Version = baseline.Version, Name = baseline.Name, OperatingSystem = baseline.OperatingSystem.Name,
            Classifications = PatchingJson.Write(baseline.Classifications), Severities = PatchingJson.Write(baseline.Severities), ApproveAfterDays = baseline.ApproveAfterDays,
            ApprovedPatches = PatchingJson.Write(baseline.ApprovedPatches), RejectedPatches = PatchingJson.Write(baseline.RejectedPatches),
            UpdatedBy = baseline.UpdatedBy, UpdatedByName = baseline.UpdatedByName, UpdatedAt = baseline.UpdatedAt,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            throw new ConcurrencyConflictException($"Someone saved version {baseline.Version} of {baseline.Name} first; reload and edit again.");
        }
    }

    public async Task<IReadOnlyList<PatchGroup>> GroupsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<PatchGroupRow>().AsNoTracking().OrderBy(g => g.Name).ToListAsync(cancellationToken);
        return rows.Select(g => new PatchGroup(g.Name, g.TagKey, g.TagValue, PatchingJson.Read<Dictionary<string, Guid>>(g.Baselines) ?? [])).ToList();
    }

    public async Task SaveGroupAsync(PatchGroup group, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<PatchGroupRow>().FirstOrDefaultAsync(g => g.Name == group.Name, cancellationToken);
        if (row is null)
        {
            row = new PatchGroupRow { Name = group.Name };
            db.Add(row);
        }

        row.TagKey = group.TagKey;
        row.TagValue = group.TagValue;
        row.Baselines = PatchingJson.Write(group.BaselineByOperatingSystem);
        await db.SaveChangesAsync(cancellationToken);
    }

    private static PatchBaseline ToBaseline(PatchBaselineRow r) => PatchBaseline.FromStore(r.Id, r.Version, r.Name, r.OperatingSystem,
        PatchingJson.Read<List<string>>(r.Classifications) ?? [], PatchingJson.Read<List<string>>(r.Severities) ?? [], r.ApproveAfterDays,
        PatchingJson.Read<List<string>>(r.ApprovedPatches) ?? [], PatchingJson.Read<List<string>>(r.RejectedPatches) ?? [], r.UpdatedBy, r.UpdatedByName, r.UpdatedAt);
}

/// <summary>
/// Instance patch states, filtered, counted and paged in SQL within the reader's scope (<see cref="FootprintFilter"/>), and the
/// compliance summary the pages and the compliance report use.
/// </summary>
public sealed class EfPatchStateStore(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock) : IPatchStateStore, IPatchComplianceSummary
{
    public async Task UpsertAsync(IReadOnlyList<InstancePatchState> states, CancellationToken cancellationToken = default)
    {
        foreach (var chunk in states.Chunk(500))
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var keys = chunk.Select(s => s.Instance.ToString()).ToList();
            var stored = await db.Set<InstancePatchStateRow>().Where(r => keys.Contains(r.Instance)).ToDictionaryAsync(r => r.Instance, StringComparer.Ordinal, cancellationToken);
            foreach (var s in chunk)
            {
                var key = s.Instance.ToString();
                if (!stored.TryGetValue(key, out var row))
                {
                    row = new InstancePatchStateRow { Instance = key };
                    db.Add(row);
                }

                Fill(row, s, clock.GetUtcNow());
            }

            await db.SaveChangesAsync(cancellationToken);
        }
    }

    public async Task<Page<InstancePatchState>> QueryAsync(PatchStateQuery query, CancellationToken cancellationToken = default)
    {
        var size = Math.Clamp(query.PageSize, 1, PatchStateQuery.MaxPageSize);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = Filter(db.Set<InstancePatchStateRow>().AsNoTracking().Visible(query.Scope), query);
        var total = await rows.CountAsync(cancellationToken);
        var page = await rows.OrderBy(r => r.Instance).Skip(query.PageIndex * size).Take(size).ToListAsync(cancellationToken);
        return new Page<InstancePatchState>(page.Select(ToState).ToList(), total, query.PageIndex, size);
    }

    public async Task<IReadOnlyList<InstancePatchState>> ListAsync(ReadScope scope, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<InstancePatchStateRow>().AsNoTracking().Visible(scope).ToListAsync(cancellationToken);
        return rows.Select(ToState).ToList();
    }

    public async Task<IReadOnlyList<PatchComplianceRow>> SummarizeAsync(ReadScope scope, PatchComplianceDimension by, CancellationToken cancellationToken = default)
    {
        if (by == PatchComplianceDimension.Instance)
        {
            return PatchCompliance.Summarize(await ListAsync(scope, cancellationToken), by, clock.GetUtcNow());
        }

        // Grouped in SQL: one row per key and level, however many instances there are.
        var stale = clock.GetUtcNow() - InstancePatchState.StaleAfter;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = db.Set<InstancePatchStateRow>().AsNoTracking().Visible(scope)
            .Select(r => new { r.AccountId, r.Region, r.PatchGroup, Level = r.LastScanAt == null || r.LastScanAt < stale ? PatchComplianceLevel.Unknown : r.Compliance });
        var counts = by switch
        {
            PatchComplianceDimension.Group => await rows.GroupBy(r => new { Key = r.PatchGroup ?? PatchCompliance.NoGroup, r.Level }).Select(g => new { g.Key.Key, g.Key.Level, Count = g.Count() }).ToListAsync(cancellationToken),
            PatchComplianceDimension.Account => await rows.GroupBy(r => new { Key = r.AccountId, r.Level }).Select(g => new { g.Key.Key, g.Key.Level, Count = g.Count() }).ToListAsync(cancellationToken),
            _ => await rows.GroupBy(r => new { Key = r.AccountId + "/" + r.Region, r.Level }).Select(g => new { g.Key.Key, g.Key.Level, Count = g.Count() }).ToListAsync(cancellationToken),
        };
        return counts.GroupBy(c => c.Key)
            .Select(g => PatchComplianceRow.Of(g.Key, g.SelectMany(c => Enumerable.Repeat(c.Level, c.Count))))
            .OrderByDescending(r => r.Critical).ThenByDescending(r => r.Security).ThenByDescending(r => r.Other).ThenBy(r => r.Key, StringComparer.Ordinal)
            .ToList();
    }

    public async Task RecordTrendAsync(IReadOnlyList<PatchComplianceSnapshot> snapshots, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        foreach (var s in snapshots)
        {
            var row = await db.Set<PatchComplianceTrendRow>().FirstOrDefaultAsync(t => t.Day == s.Day && t.AccountId == s.AccountId && t.Region == s.Region, cancellationToken);
            if (row is null)
            {
                row = new PatchComplianceTrendRow { Day = s.Day, AccountId = s.AccountId, Region = s.Region, FootprintAccount = s.AccountId, FootprintRegion = s.Region, FootprintTags = string.Empty };
                db.Add(row);
            }

            (row.Compliant, row.Critical, row.Security, row.Other, row.Unknown) = (s.Compliant, s.Critical, s.Security, s.Other, s.Unknown);
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<PatchComplianceSnapshot>> TrendAsync(ReadScope scope, DateOnly from, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<PatchComplianceTrendRow>().AsNoTracking().Visible(scope).Where(t => t.Day >= from).ToListAsync(cancellationToken);
        return PatchCompliance.Trend(rows.Select(t => new PatchComplianceSnapshot(t.Day, t.AccountId, t.Region, t.Compliant, t.Critical, t.Security, t.Other, t.Unknown)), new ReadScope([], Everything: true));
    }

    public async Task<bool> TryClaimScanAsync(CloudScope scope, DateTimeOffset now, TimeSpan interval, CancellationToken cancellationToken = default)
    {
        var key = $"{scope.AccountId}/{scope.Region}";
        var before = now - interval;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Set<PatchScanClaimRow>().Where(c => c.Scope == key && c.ClaimedAt <= before).ExecuteUpdateAsync(u => u.SetProperty(c => c.ClaimedAt, now), cancellationToken) == 1)
        {
            return true;
        }

        if (await db.Set<PatchScanClaimRow>().AnyAsync(c => c.Scope == key, cancellationToken))
        {
            return false;
        }

        db.Add(new PatchScanClaimRow { Scope = key, ClaimedAt = now });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            return false; // another node claimed it first
        }
    }

    private IQueryable<InstancePatchStateRow> Filter(IQueryable<InstancePatchStateRow> rows, PatchStateQuery q)
    {
        if (!string.IsNullOrWhiteSpace(q.Text))
        {
            var text = q.Text.Trim();
            rows = rows.Where(r => r.Instance.Contains(text) || r.Name.Contains(text));
        }

        if (!string.IsNullOrWhiteSpace(q.AccountId))
        {
            rows = rows.Where(r => r.AccountId == q.AccountId);
        }

        if (!string.IsNullOrWhiteSpace(q.Region))
        {
            rows = rows.Where(r => r.Region == q.Region);
        }

        if (!string.IsNullOrWhiteSpace(q.PatchGroup))
        {
            rows = rows.Where(r => r.PatchGroup == q.PatchGroup);
        }

        if (q.AgentOnline is { } online)
        {
            rows = online ? rows.Where(r => r.Ping == AgentPing.Online) : rows.Where(r => r.Ping != AgentPing.Online);
        }

        if (q.Compliance is { } level)
        {
            var stale = (q.Now == default ? clock.GetUtcNow() : q.Now) - InstancePatchState.StaleAfter;
            rows = level == PatchComplianceLevel.Unknown
                ? rows.Where(r => r.Compliance == PatchComplianceLevel.Unknown || r.LastScanAt == null || r.LastScanAt < stale)
                : rows.Where(r => r.Compliance == level && r.LastScanAt != null && r.LastScanAt >= stale);
        }

        return rows;
    }

    private static void Fill(InstancePatchStateRow row, InstancePatchState s, DateTimeOffset now)
    {
        var (account, region, tags) = FootprintFilter.Columns(s.Footprint);
        row.Name = s.Name;
        row.AccountId = s.Instance.AccountId;
        row.Region = s.Instance.Region;
        row.PatchGroup = s.PatchGroup;
        row.Ping = s.Agent.Ping;
        row.PlatformName = s.Agent.PlatformName;
        row.AgentVersion = s.Agent.AgentVersion;
        row.LastPing = s.Agent.LastPing;
        row.AgentReason = s.Agent.Reason is { Length: > 1000 } r ? r[..1000] : s.Agent.Reason;
        row.AgentFix = s.Agent.Fix is { Length: > 1000 } f ? f[..1000] : s.Agent.Fix;
        row.BaselineId = s.BaselineId;
        row.Installed = s.Installed;
        row.Missing = s.Missing;
        row.Failed = s.Failed;
        row.InstalledPendingReboot = s.InstalledPendingReboot;
        row.CriticalNonCompliant = s.CriticalNonCompliant;
        row.SecurityNonCompliant = s.SecurityNonCompliant;
        row.OtherNonCompliant = s.OtherNonCompliant;
        row.LastScanAt = s.LastScanAt;
        row.Compliance = s.Compliance(now);
        row.UpdatedAt = s.UpdatedAt;
        row.FootprintAccount = account;
        row.FootprintRegion = region;
        row.FootprintTags = tags;
    }

    private static InstancePatchState ToState(InstancePatchStateRow r)
    {
        var instance = EfPatchRunStore.ParseRef(r.Instance);
        return new InstancePatchState(instance, r.Name, FootprintFilter.Read(r.FootprintAccount, r.FootprintRegion, r.FootprintTags) ?? Footprint.Of(r.AccountId, r.Region, null), r.PatchGroup,
            new AgentStatus(instance, r.Ping, r.PlatformName, r.AgentVersion, r.LastPing, r.AgentReason, r.AgentFix))
        {
            BaselineId = r.BaselineId, Installed = r.Installed, Missing = r.Missing, Failed = r.Failed, InstalledPendingReboot = r.InstalledPendingReboot,
            CriticalNonCompliant = r.CriticalNonCompliant, SecurityNonCompliant = r.SecurityNonCompliant, OtherNonCompliant = r.OtherNonCompliant,
            LastScanAt = r.LastScanAt, UpdatedAt = r.UpdatedAt,
        };
    }
}

internal static class PatchingJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T? Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Options);
}
