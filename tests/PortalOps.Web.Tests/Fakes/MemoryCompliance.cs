using PortalOps.Domain.Common;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Tests.Fakes;

/// <summary>Policies, findings, scans and exceptions in memory, scoped the way the database stores scope them.</summary>
public sealed class MemoryCompliance : IPolicyStore, IFindingStore, IWaiverStore
{
    private readonly Lock gate = new();

    public List<PolicyVersion> Versions { get; } = [];

    public HashSet<string> Disabled { get; } = new(StringComparer.Ordinal);

    public List<Finding> Findings { get; } = [];

    public List<ScanSummary> Scans { get; } = [];

    public List<Waiver> Waivers { get; } = [];

    public Task<IReadOnlyList<PolicyVersion>> LatestAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<PolicyVersion>>(Versions.GroupBy(v => v.PolicyId).Select(g => g.MaxBy(v => v.Version)!).ToList());
        }
    }

    public Task<IReadOnlyList<PolicyVersion>> VersionsAsync(string policyId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<PolicyVersion>>(Versions.Where(v => v.PolicyId == policyId).OrderByDescending(v => v.Version).ToList());
        }
    }

    public Task AddVersionAsync(PolicyVersion version, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (Versions.Any(v => v.PolicyId == version.PolicyId && v.Version == version.Version))
            {
                throw new ConcurrencyConflictException("That version exists already.");
            }

            Versions.Add(version);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlySet<string>> DisabledAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlySet<string>>(Disabled.ToHashSet(StringComparer.Ordinal));
        }
    }

    public Task SetEnabledAsync(string policyId, bool enabled, string changedBy, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            _ = enabled ? Disabled.Remove(policyId) : Disabled.Add(policyId);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Finding>> ForPoliciesAsync(IReadOnlyCollection<string> policyIds, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<Finding>>(Findings.Where(f => policyIds.Contains(f.PolicyId)).ToList());
        }
    }

    public Task<IReadOnlyList<Finding>> UnresolvedAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<Finding>>(Findings.Where(f => f.Status != FindingStatus.Resolved).ToList());
        }
    }

    public Task SaveAsync(IReadOnlyCollection<Finding> added, IReadOnlyCollection<Finding> changed, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            Findings.AddRange(added);
        }

        return Task.CompletedTask;
    }

    public Task<Page<Finding>> QueryAsync(FindingQuery query, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var visible = Findings.Where(f => query.VisibleTo is null || query.VisibleTo.Covers(f.Footprint))
                .Where(f => query.Status is null || f.Status == query.Status)
                .Where(f => query.PolicyId is null || f.PolicyId == query.PolicyId).ToList();
            return Task.FromResult(new Page<Finding>(visible.Skip(query.PageIndex * query.PageSize).Take(query.PageSize).ToList(), visible.Count, query.PageIndex, query.PageSize));
        }
    }

    public Task<Finding?> FindAsync(Guid id, ReadScope visibleTo, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(Findings.FirstOrDefault(f => f.Id == id && visibleTo.Covers(f.Footprint)));
        }
    }

    public Task AddScanAsync(ScanSummary scan, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            Scans.Add(scan);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ScanSummary>> ScansAsync(DateTimeOffset since, ReadScope visibleTo, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<ScanSummary>>(Scans.Where(s => s.At >= since)
                .Select(s => s with { Tallies = s.Tallies.Where(t => visibleTo.Covers(Footprint.Of(t.Scope.AccountId, t.Scope.Region, null))).ToList() }).ToList());
        }
    }

    public Task AddAsync(Waiver waiver, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            Waivers.Add(waiver);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Waiver>> ListAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<Waiver>>(Waivers.ToList());
        }
    }

    public Task MarkExpiryNotifiedAsync(Guid waiverId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            Waivers.FirstOrDefault(w => w.Id == waiverId)?.MarkExpiryNotified(at);
        }

        return Task.CompletedTask;
    }
}
