using System.Collections.Concurrent;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;

namespace PortalOps.Domain.Tests.Fakes;

internal sealed class InMemoryMetricStore : IMetricStore
{
    private readonly ConcurrentDictionary<(InstanceRef, MetricKind, DateTimeOffset), MetricPoint> _points = new();
    private Dictionary<InstanceRef, InstanceHealth> _health = [];
    private DateTimeOffset? _watermark;

    public int Count => _points.Count;

    public void Add(InstanceRef instance, MetricKind metric, DateTimeOffset at, double value) => _points[(instance, metric, at)] = new MetricPoint(instance, metric, at, value);

    public Task UpsertAsync(IReadOnlyList<MetricPoint> points, CancellationToken cancellationToken = default)
    {
        foreach (var p in points)
        {
            _points[(p.Instance, p.Metric, p.At)] = p;
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<MetricPoint>> QueryAsync(IReadOnlyCollection<InstanceRef> instances, MetricKind metric, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var set = instances.ToHashSet();
        IReadOnlyList<MetricPoint> result = _points.Values.Where(p => p.Metric == metric && set.Contains(p.Instance) && p.At >= from && p.At < to).OrderBy(p => p.At).ToList();
        return Task.FromResult(result);
    }

    public Task SaveHealthAsync(IReadOnlyList<InstanceHealth> health, CancellationToken cancellationToken = default)
    {
        _health = health.ToDictionary(h => h.Instance);
        return Task.CompletedTask;
    }

    public void SetHealth(InstanceHealth health) => _health[health.Instance] = health;

    public Task<Page<InstanceHealth>> HealthAsync(HealthQuery query, CancellationToken cancellationToken = default) =>
        Task.FromResult(new Page<InstanceHealth>(_health.Values.OrderByDescending(h => h.Cpu).Skip(query.PageIndex * query.PageSize).Take(query.PageSize).ToList(), _health.Count, query.PageIndex, query.PageSize));

    public Task<IReadOnlyDictionary<InstanceRef, InstanceHealth>> HealthOfAsync(IReadOnlyCollection<InstanceRef> instances, CancellationToken cancellationToken = default)
    {
        IReadOnlyDictionary<InstanceRef, InstanceHealth> result = instances.Where(_health.ContainsKey).ToDictionary(i => i, i => _health[i]);
        return Task.FromResult(result);
    }

    public Task<DateTimeOffset?> WatermarkAsync(CancellationToken cancellationToken = default) => Task.FromResult(_watermark);

    public Task SetWatermarkAsync(DateTimeOffset collectedUntil, CancellationToken cancellationToken = default)
    {
        _watermark = collectedUntil;
        return Task.CompletedTask;
    }

    public Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        var old = _points.Keys.Where(k => k.Item3 < before).ToList();
        foreach (var k in old)
        {
            _points.TryRemove(k, out _);
        }

        return Task.FromResult(old.Count);
    }
}

internal sealed class InMemoryRuleStore : IAlertRuleStore
{
    private readonly ConcurrentDictionary<Guid, AlertRule> _rules = new();

    public Task<IReadOnlyList<AlertRule>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<AlertRule>>(_rules.Values.OrderBy(r => r.Name).ToList());

    public Task<AlertRule?> FindAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(_rules.GetValueOrDefault(id));

    public Task SaveAsync(AlertRule rule, CancellationToken cancellationToken = default)
    {
        var stored = _rules.GetValueOrDefault(rule.Id);
        if ((stored?.Version ?? 0) != rule.Version - 1)
        {
            throw new ConcurrencyConflictException("changed");
        }

        _rules[rule.Id] = rule;
        return Task.CompletedTask;
    }

    public Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(_rules.TryRemove(id, out _));
}

/// <summary>Keeps alerts as the database would: a copy per save, so a stale version is caught.</summary>
internal sealed class InMemoryAlertStore : IAlertStore
{
    private readonly ConcurrentDictionary<Guid, Alert> _alerts = new();

    public IReadOnlyList<Alert> All => _alerts.Values.OrderBy(a => a.OpenedAt).Select(Copy).ToList();

    public Task AddAsync(Alert alert, CancellationToken cancellationToken = default)
    {
        _alerts[alert.Id] = Copy(alert);
        return Task.CompletedTask;
    }

    public Task<Alert?> FindAsync(Guid id, CancellationToken cancellationToken = default) =>
        Task.FromResult(_alerts.TryGetValue(id, out var a) ? Copy(a) : null);

    public Task UpdateAsync(Alert alert, int expectedVersion, CancellationToken cancellationToken = default)
    {
        lock (_alerts)
        {
            if (!_alerts.TryGetValue(alert.Id, out var stored) || stored.Version != expectedVersion)
            {
                throw new ConcurrencyConflictException("changed");
            }

            _alerts[alert.Id] = Copy(alert);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Alert>> ListOpenAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Alert>>(_alerts.Values.Where(a => a.IsOpen).Select(Copy).ToList());

    public Task<Alert?> FindByApprovalAsync(Guid approvalId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_alerts.Values.Where(a => a.ApprovalIds.Contains(approvalId)).Select(Copy).FirstOrDefault());

    public Task<Page<Alert>> QueryAsync(AlertQuery query, CancellationToken cancellationToken = default)
    {
        var all = _alerts.Values.Where(a => !query.OpenOnly || a.IsOpen).OrderByDescending(a => a.OpenedAt).Select(Copy).ToList();
        return Task.FromResult(new Page<Alert>(all.Skip(query.PageIndex * query.PageSize).Take(query.PageSize).ToList(), all.Count, query.PageIndex, query.PageSize));
    }

    private static Alert Copy(Alert a) => Alert.FromStore(a.Id, a.RuleId, a.RuleName, a.Description, a.Severity, a.Status, a.OpenedAt, a.NotifiedAt, a.AcknowledgedBy, a.AcknowledgedByName,
        a.SnoozedUntil, a.ResolvedAt, a.ResolvedByName, a.Changes, a.NotifiedChanges, a.ResolutionNotified, a.PeakMembers, a.Version, a.Members.ToList(), a.History.ToList(), a.ApprovalIds.ToList());
}

internal sealed class InMemoryWindowStore : IMaintenanceWindowStore
{
    private readonly ConcurrentDictionary<Guid, MaintenanceWindow> _windows = new();

    public Task<IReadOnlyList<MaintenanceWindow>> ListAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<MaintenanceWindow>>(_windows.Values.Where(w => w.EndsAt > now).OrderBy(w => w.StartsAt).ToList());

    public Task AddAsync(MaintenanceWindow window, CancellationToken cancellationToken = default)
    {
        _windows[window.Id] = window;
        return Task.CompletedTask;
    }

    public Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(_windows.TryRemove(id, out _));
}
