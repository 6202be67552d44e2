using System.Collections.Concurrent;
using PortalOps.Domain.Common;
using PortalOps.Domain.Monitoring;

namespace PortalOps.Web.Tests.Fakes;

/// <summary>Alerts kept as the database would: a copy per read and a version check on update.</summary>
public sealed class FakeAlertStore : IAlertStore
{
    private readonly ConcurrentDictionary<Guid, Alert> _alerts = new();

    public Task AddAsync(Alert alert, CancellationToken cancellationToken = default)
    {
        _alerts[alert.Id] = Copy(alert);
        return Task.CompletedTask;
    }

    public Task<Alert?> FindAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(_alerts.TryGetValue(id, out var a) ? Copy(a) : null);

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

public sealed class FakeAlertRuleStore : IAlertRuleStore
{
    public List<AlertRule> Saved { get; } = [];

    public Task<IReadOnlyList<AlertRule>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<AlertRule>>(Saved.ToList());

    public Task<AlertRule?> FindAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(Saved.LastOrDefault(r => r.Id == id));

    public Task SaveAsync(AlertRule rule, CancellationToken cancellationToken = default)
    {
        Saved.Add(rule);
        return Task.CompletedTask;
    }

    public Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(Saved.RemoveAll(r => r.Id == id) > 0);
}
