using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Persistence;

/// <summary>Recent series (kept for the retention period), each instance's latest health, and the collection watermark.</summary>
public sealed class EfMetricStore(IDbContextFactory<PortalDbContext> contexts) : IMetricStore
{
    private const int Chunk = 500;
    private const string WatermarkKey = "metrics.collected-until";

    public async Task UpsertAsync(IReadOnlyList<MetricPoint> points, CancellationToken cancellationToken = default)
    {
        if (points.Count == 0)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var group in points.GroupBy(p => p.Metric))
        {
            var from = group.Min(p => p.At);
            var to = group.Max(p => p.At);
            foreach (var chunk in group.Select(p => p.Instance.ToString()).Distinct().Chunk(Chunk))
            {
                await db.MetricPoints.Where(p => p.Metric == group.Key && p.At >= from && p.At <= to && chunk.Contains(p.Instance)).ExecuteDeleteAsync(cancellationToken);
            }
        }

        db.MetricPoints.AddRange(points.DistinctBy(p => (p.Instance, p.Metric, p.At)).Select(p => new MetricPointRow { Instance = p.Instance.ToString(), Metric = p.Metric, At = p.At, Value = p.Value }));
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<MetricPoint>> QueryAsync(IReadOnlyCollection<InstanceRef> instances, MetricKind metric, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var result = new List<MetricPoint>();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        foreach (var chunk in instances.Select(i => i.ToString()).Distinct().Chunk(Chunk))
        {
            var rows = await db.MetricPoints.AsNoTracking()
                .Where(p => p.Metric == metric && p.At >= from && p.At < to && chunk.Contains(p.Instance))
                .ToListAsync(cancellationToken);
            result.AddRange(rows.Select(ToPoint));
        }

        return result.OrderBy(p => p.At).ToList();
    }

    public async Task SaveHealthAsync(IReadOnlyList<InstanceHealth> health, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.InstanceHealth.ExecuteDeleteAsync(cancellationToken);
        db.InstanceHealth.AddRange(health.DistinctBy(h => h.Instance).Select(h => new InstanceHealthRow
        {
            Instance = h.Instance.ToString(), Name = h.Name, Cpu = h.Cpu, NetworkIn = h.NetworkIn, NetworkOut = h.NetworkOut,
            StatusCheckFailed = h.StatusCheckFailed, SystemStatus = h.System, InstanceStatus = h.InstanceCheck, LastPointAt = h.LastPointAt,
            FootprintAccount = h.Instance.AccountId, FootprintRegion = h.Instance.Region,
            FootprintTags = Footprint.Of(h.Instance.AccountId, h.Instance.Region, h.Tags).TagsText,
        }));
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    public async Task<Page<InstanceHealth>> HealthAsync(HealthQuery query, CancellationToken cancellationToken = default)
    {
        var size = Math.Clamp(query.PageSize, 1, 500);
        var index = Math.Max(0, query.PageIndex);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = db.InstanceHealth.AsNoTracking().Visible(query.VisibleTo);
        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            var text = query.Text.Trim().ToLower();
            rows = rows.Where(h => h.Name.ToLower().Contains(text) || h.Instance.ToLower().Contains(text));
        }

        var total = await rows.CountAsync(cancellationToken);
        IOrderedQueryable<InstanceHealthRow> ordered = (query.SortBy, query.Descending) switch
        {
            (HealthSort.NetworkIn, true) => rows.OrderBy(h => h.NetworkIn == null).ThenByDescending(h => h.NetworkIn),
            (HealthSort.NetworkIn, false) => rows.OrderBy(h => h.NetworkIn == null).ThenBy(h => h.NetworkIn),
            (HealthSort.NetworkOut, true) => rows.OrderBy(h => h.NetworkOut == null).ThenByDescending(h => h.NetworkOut),
            (HealthSort.NetworkOut, false) => rows.OrderBy(h => h.NetworkOut == null).ThenBy(h => h.NetworkOut),
            (HealthSort.Status, true) => rows.OrderByDescending(h => h.StatusCheckFailed).ThenByDescending(h => h.Cpu),
            (HealthSort.Status, false) => rows.OrderBy(h => h.StatusCheckFailed).ThenBy(h => h.Cpu),
            (HealthSort.Name, true) => rows.OrderByDescending(h => h.Name),
            (HealthSort.Name, false) => rows.OrderBy(h => h.Name),
            (_, true) => rows.OrderBy(h => h.Cpu == null).ThenByDescending(h => h.Cpu),
            (_, false) => rows.OrderBy(h => h.Cpu == null).ThenBy(h => h.Cpu),
        };
        var page = await ordered.ThenBy(h => h.Instance).Skip((int)Math.Min((long)index * size, int.MaxValue)).Take(size).ToListAsync(cancellationToken);
        return new Page<InstanceHealth>(page.Select(ToHealth).ToList(), total, index, size);
    }

    public async Task<IReadOnlyDictionary<InstanceRef, InstanceHealth>> HealthOfAsync(IReadOnlyCollection<InstanceRef> instances, CancellationToken cancellationToken = default)
    {
        var result = new Dictionary<InstanceRef, InstanceHealth>();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        foreach (var chunk in instances.Select(i => i.ToString()).Distinct().Chunk(Chunk))
        {
            foreach (var row in await db.InstanceHealth.AsNoTracking().Where(h => chunk.Contains(h.Instance)).ToListAsync(cancellationToken))
            {
                var health = ToHealth(row);
                result[health.Instance] = health;
            }
        }

        return result;
    }

    public async Task<DateTimeOffset?> WatermarkAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.MonitoringState.AsNoTracking().SingleOrDefaultAsync(s => s.Key == WatermarkKey, cancellationToken);
        return row?.Value;
    }

    public async Task SetWatermarkAsync(DateTimeOffset collectedUntil, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.MonitoringState.SingleOrDefaultAsync(s => s.Key == WatermarkKey, cancellationToken);
        if (row is null)
        {
            db.MonitoringState.Add(new MonitoringStateRow { Key = WatermarkKey, Value = collectedUntil });
        }
        else
        {
            row.Value = collectedUntil;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.MetricPoints.Where(p => p.At < before).ExecuteDeleteAsync(cancellationToken);
    }

    private static MetricPoint ToPoint(MetricPointRow row) => new(ParseRef(row.Instance), row.Metric, row.At, row.Value);

    private static InstanceHealth ToHealth(InstanceHealthRow row) =>
        new(ParseRef(row.Instance), row.Name, row.Cpu, row.NetworkIn, row.NetworkOut, row.StatusCheckFailed, row.SystemStatus, row.InstanceStatus, row.LastPointAt)
        {
            Tags = FootprintFilter.Read(row.FootprintAccount, row.FootprintRegion, row.FootprintTags)?.Tags,
        };

    internal static InstanceRef ParseRef(string text) => InstanceRef.TryParse(text, out var r) ? r! : new InstanceRef(string.Empty, string.Empty, text);
}

/// <summary>Alert rules, saved with a version check.</summary>
public sealed class EfAlertRuleStore(IDbContextFactory<PortalDbContext> contexts) : IAlertRuleStore
{
    public async Task<IReadOnlyList<AlertRule>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return (await db.AlertRules.AsNoTracking().OrderBy(r => r.Name).ToListAsync(cancellationToken)).Select(ToRule).ToList();
    }

    public async Task<AlertRule?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.AlertRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        return row is null ? null : ToRule(row);
    }

    public async Task SaveAsync(AlertRule rule, CancellationToken cancellationToken = default)
    {
        var row = ToRow(rule);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (rule.Version == 1)
        {
            db.AlertRules.Add(row);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                throw new ConcurrencyConflictException($"Alert rule {rule.Id} already exists.");
            }

            return;
        }

        db.AlertRules.Attach(row);
        db.Entry(row).State = EntityState.Modified;
        db.Entry(row).Property(r => r.Version).OriginalValue = rule.Version - 1;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrencyConflictException($"Alert rule {rule.Id} was changed by someone else first.");
        }
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.AlertRules.Where(r => r.Id == id).ExecuteDeleteAsync(cancellationToken) == 1;
    }

    private static AlertRuleRow ToRow(AlertRule r) => new()
    {
        Id = r.Id, Name = r.Name, Enabled = r.Enabled, Kind = r.Kind, Metric = r.Metric, Statistic = r.Statistic, Comparison = r.Comparison,
        Threshold = r.Threshold, PeriodSeconds = (int)r.Period.TotalSeconds, DatapointsToAlarm = r.DatapointsToAlarm, EvaluationPeriods = r.EvaluationPeriods,
        ScopeKind = r.Scope.Kind, ScopeValue = r.Scope.Value, Severity = r.Severity, NotifyRole = r.Recipients.MinimumRole?.ToString(),
        NotifyUsers = MonitoringJson.Write(r.Recipients.Users), Actions = MonitoringJson.WriteActions(r.Actions), MirrorToCloudWatch = r.MirrorToCloudWatch,
        OwnerId = r.OwnerId, OwnerName = r.OwnerName, UpdatedAt = r.UpdatedAt, Version = r.Version,
    };

    private static AlertRule ToRule(AlertRuleRow r) => AlertRule.FromStore(
        r.Id, r.Name, r.Enabled, r.Kind, r.Metric, r.Statistic, r.Comparison, r.Threshold, TimeSpan.FromSeconds(r.PeriodSeconds), r.DatapointsToAlarm,
        r.EvaluationPeriods, new RuleScope(r.ScopeKind, r.ScopeValue), r.Severity,
        new AlertRecipients(Enum.TryParse<Role>(r.NotifyRole, out var role) ? role : null, MonitoringJson.Read<List<Guid>>(r.NotifyUsers) ?? []),
        MonitoringJson.ReadActions(r.Actions), r.MirrorToCloudWatch, r.OwnerId, r.OwnerName, r.UpdatedAt, r.Version);
}

/// <summary>Alerts with optimistic concurrency: an update is one conditional statement on the version.</summary>
public sealed class EfAlertStore(IDbContextFactory<PortalDbContext> contexts) : IAlertStore
{
    public async Task AddAsync(Alert alert, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Alerts.Add(ToRow(alert));
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<Alert?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Alerts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        return row is null ? null : ToAlert(row);
    }

    public async Task UpdateAsync(Alert alert, int expectedVersion, CancellationToken cancellationToken = default)
    {
        var row = ToRow(alert);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var updated = await db.Alerts.Where(a => a.Id == row.Id && a.Version == expectedVersion).ExecuteUpdateAsync(set =>
        {
            set.SetProperty(a => a.Status, row.Status);
            set.SetProperty(a => a.IsOpen, row.IsOpen);
            set.SetProperty(a => a.NotifiedAt, row.NotifiedAt);
            set.SetProperty(a => a.AcknowledgedBy, row.AcknowledgedBy);
            set.SetProperty(a => a.AcknowledgedByName, row.AcknowledgedByName);
            set.SetProperty(a => a.SnoozedUntil, row.SnoozedUntil);
            set.SetProperty(a => a.ResolvedAt, row.ResolvedAt);
            set.SetProperty(a => a.ResolvedByName, row.ResolvedByName);
            set.SetProperty(a => a.Changes, row.Changes);
            set.SetProperty(a => a.NotifiedChanges, row.NotifiedChanges);
            set.SetProperty(a => a.ResolutionNotified, row.ResolutionNotified);
            set.SetProperty(a => a.PeakMembers, row.PeakMembers);
            set.SetProperty(a => a.MemberCount, row.MemberCount);
            set.SetProperty(a => a.Members, row.Members);
            set.SetProperty(a => a.History, row.History);
            set.SetProperty(a => a.Approvals, row.Approvals);
            set.SetProperty(a => a.Version, row.Version);
            set.SetProperty(a => a.FootprintAccount, row.FootprintAccount);
            set.SetProperty(a => a.FootprintRegion, row.FootprintRegion);
            set.SetProperty(a => a.FootprintTags, row.FootprintTags);
        }, cancellationToken);
        if (updated != 1)
        {
            throw await db.Alerts.AnyAsync(a => a.Id == row.Id, cancellationToken)
                ? new ConcurrencyConflictException($"Alert {row.Id} was changed by someone else first.")
                : new DomainException($"Alert {row.Id} does not exist.");
        }
    }

    public async Task<IReadOnlyList<Alert>> ListOpenAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return (await db.AlertRows().Where(a => a.IsOpen).ToListAsync(cancellationToken)).Select(ToAlert).ToList();
    }

    public async Task<Alert?> FindByApprovalAsync(Guid approvalId, CancellationToken cancellationToken = default)
    {
        var text = approvalId.ToString();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.AlertRows().Where(a => a.Approvals.Contains(text)).OrderByDescending(a => a.OpenedAt).FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : ToAlert(row);
    }

    public async Task<Page<Alert>> QueryAsync(AlertQuery query, CancellationToken cancellationToken = default)
    {
        var size = Math.Clamp(query.PageSize, 1, 200);
        var index = Math.Max(0, query.PageIndex);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = db.AlertRows().Visible(query.VisibleTo);
        if (query.OpenOnly)
        {
            rows = rows.Where(a => a.IsOpen);
        }

        if (query.RuleId is { } rule)
        {
            rows = rows.Where(a => a.RuleId == rule);
        }

        if (query.MinimumSeverity is { } severity)
        {
            var allowed = Enum.GetValues<Severity>().Where(s => s >= severity).ToList();
            rows = rows.Where(a => allowed.Contains(a.Severity));
        }

        var total = await rows.CountAsync(cancellationToken);
        var page = await rows.OrderByDescending(a => a.OpenedAt).ThenBy(a => a.Id).Skip((int)Math.Min((long)index * size, int.MaxValue)).Take(size).ToListAsync(cancellationToken);
        return new Page<Alert>(page.Select(ToAlert).ToList(), total, index, size);
    }

    private static AlertRow ToRow(Alert a)
    {
        var row = ToRowWithoutFootprint(a);
        (row.FootprintAccount, row.FootprintRegion, row.FootprintTags) = FootprintFilter.Columns(a.Footprint);
        return row;
    }

    private static AlertRow ToRowWithoutFootprint(Alert a) => new()
    {
        Id = a.Id, RuleId = a.RuleId, RuleName = a.RuleName, Description = a.Description, Severity = a.Severity, Status = a.Status, IsOpen = a.IsOpen,
        OpenedAt = a.OpenedAt, NotifiedAt = a.NotifiedAt, AcknowledgedBy = a.AcknowledgedBy, AcknowledgedByName = a.AcknowledgedByName,
        SnoozedUntil = a.SnoozedUntil, ResolvedAt = a.ResolvedAt, ResolvedByName = a.ResolvedByName, Changes = a.Changes, NotifiedChanges = a.NotifiedChanges,
        ResolutionNotified = a.ResolutionNotified, PeakMembers = a.PeakMembers, MemberCount = a.Members.Count,
        Members = MonitoringJson.WriteMembers(a.Members), History = MonitoringJson.Write(a.History), Approvals = MonitoringJson.Write(a.ApprovalIds), Version = a.Version,
    };

    private static Alert ToAlert(AlertRow r) => Alert.FromStore(
        r.Id, r.RuleId, r.RuleName, r.Description, r.Severity, r.Status, r.OpenedAt, r.NotifiedAt, r.AcknowledgedBy, r.AcknowledgedByName, r.SnoozedUntil,
        r.ResolvedAt, r.ResolvedByName, r.Changes, r.NotifiedChanges, r.ResolutionNotified, r.PeakMembers, r.Version,
        MonitoringJson.ReadMembers(r.Members), MonitoringJson.Read<List<AlertEvent>>(r.History) ?? [], MonitoringJson.Read<List<Guid>>(r.Approvals) ?? [],
        FootprintFilter.Read(r.FootprintAccount, r.FootprintRegion, r.FootprintTags));
}

/// <summary>Maintenance windows.</summary>
public sealed class EfMaintenanceWindowStore(IDbContextFactory<PortalDbContext> contexts) : IMaintenanceWindowStore
{
    public async Task<IReadOnlyList<MaintenanceWindow>> ListAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.MaintenanceWindows.AsNoTracking().Where(w => w.EndsAt > now).OrderBy(w => w.StartsAt).Take(500).ToListAsync(cancellationToken);
        return rows.Select(w => MaintenanceWindow.FromStore(w.Id, w.Name, new RuleScope(w.ScopeKind, w.ScopeValue), w.RuleId, w.StartsAt, w.EndsAt, w.CreatedBy, w.CreatedByName)).ToList();
    }

    public async Task AddAsync(MaintenanceWindow window, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.MaintenanceWindows.Add(new MaintenanceWindowRow
        {
            Id = window.Id, Name = window.Name, ScopeKind = window.Scope.Kind, ScopeValue = window.Scope.Value, RuleId = window.RuleId,
            StartsAt = window.StartsAt, EndsAt = window.EndsAt, CreatedBy = window.CreatedBy, CreatedByName = window.CreatedByName,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.MaintenanceWindows.Where(w => w.Id == id).ExecuteDeleteAsync(cancellationToken) == 1;
    }
}

/// <summary>The JSON shapes of the monitoring tables' list columns.</summary>
internal static class MonitoringJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T? Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Options);

    public static string WriteActions(IEnumerable<CorrectiveAction> actions) =>
        Write(actions.Select(a => new ActionJson(a.Kind, a.Mode, new Dictionary<string, string>(a.Parameters))).ToList());

    public static IReadOnlyList<CorrectiveAction> ReadActions(string json) =>
        (Read<List<ActionJson>>(json) ?? []).Select(a => new CorrectiveAction(a.Kind, a.Mode, a.Parameters ?? [])).ToList();

    public static string WriteMembers(IEnumerable<AlertMember> members) =>
        Write(members.Select(m => new MemberJson(m.Instance.ToString(), m.Name, m.Since, m.Value, m.Detail, m.Tags is null ? null : new Dictionary<string, string>(m.Tags))).ToList());

    public static IReadOnlyList<AlertMember> ReadMembers(string json) =>
        (Read<List<MemberJson>>(json) ?? []).Select(m => new AlertMember(EfMetricStore.ParseRef(m.Instance), m.Name, m.Since, m.Value, m.Detail) { Tags = m.Tags }).ToList();

    private sealed record ActionJson(string Kind, ActionMode Mode, Dictionary<string, string>? Parameters);

    private sealed record MemberJson(string Instance, string Name, DateTimeOffset Since, double? Value, string Detail, Dictionary<string, string>? Tags = null);
}

internal static class AlertQueries
{
    public static IQueryable<AlertRow> AlertRows(this PortalDbContext db) => db.Alerts.AsNoTracking();
}
