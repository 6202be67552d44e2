using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Common;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Persistence;

/// <summary>Policy versions (append-only) and the on/off switches.</summary>
public sealed class EfPolicyStore(IDbContextFactory<PortalDbContext> contexts) : IPolicyStore
{
    public async Task<IReadOnlyList<PolicyVersion>> LatestAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.CompliancePolicyVersions.AsNoTracking()
            .Where(v => v.Version == db.CompliancePolicyVersions.Where(o => o.PolicyId == v.PolicyId).Max(o => o.Version))
            .OrderBy(v => v.PolicyId).ToListAsync(cancellationToken);
        return rows.Select(ToVersion).ToList();
    }

    public async Task<IReadOnlyList<PolicyVersion>> VersionsAsync(string policyId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.CompliancePolicyVersions.AsNoTracking().Where(v => v.PolicyId == policyId).OrderByDescending(v => v.Version).ToListAsync(cancellationToken);
        return rows.Select(ToVersion).ToList();
    }

    public async Task AddVersionAsync(PolicyVersion version, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.CompliancePolicyVersions.Add(new CompliancePolicyVersionRow
        {
            PolicyId = version.PolicyId, Version = version.Version, Source = version.Source, Author = version.Author, CreatedAt = version.CreatedAt,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            throw new ConcurrencyConflictException($"Version {version.Version} of policy {version.PolicyId} was saved by someone else first; reload and try again.");
        }
    }

    public async Task<IReadOnlySet<string>> DisabledAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var ids = await db.CompliancePolicySettings.AsNoTracking().Where(s => !s.Enabled).Select(s => s.PolicyId).ToListAsync(cancellationToken);
        return ids.ToHashSet(StringComparer.Ordinal);
    }

    public async Task SetEnabledAsync(string policyId, bool enabled, string changedBy, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.CompliancePolicySettings.SingleOrDefaultAsync(s => s.PolicyId == policyId, cancellationToken);
        if (row is null)
        {
            db.CompliancePolicySettings.Add(row = new CompliancePolicySettingRow { PolicyId = policyId });
        }

        row.Enabled = enabled;
        row.ChangedBy = changedBy;
        row.ChangedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(cancellationToken);
    }

    private static PolicyVersion ToVersion(CompliancePolicyVersionRow r) => new(r.PolicyId, r.Version, r.Source, r.Author, r.CreatedAt);
}

/// <summary>Findings (scoped in SQL by their footprint) and scan tallies.</summary>
public sealed class EfFindingStore(IDbContextFactory<PortalDbContext> contexts) : IFindingStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IReadOnlyList<Finding>> ForPoliciesAsync(IReadOnlyCollection<string> policyIds, CancellationToken cancellationToken = default)
    {
        var ids = policyIds.ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.ComplianceFindings.AsNoTracking().Where(f => ids.Contains(f.PolicyId)).ToListAsync(cancellationToken);
        return rows.Select(ToFinding).ToList();
    }

    public async Task<IReadOnlyList<Finding>> UnresolvedAsync(CancellationToken cancellationToken = default)
    {
        var resolved = nameof(FindingStatus.Resolved);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.ComplianceFindings.AsNoTracking().Where(f => f.Status != resolved).ToListAsync(cancellationToken);
        return rows.Select(ToFinding).ToList();
    }

    public async Task SaveAsync(IReadOnlyCollection<Finding> added, IReadOnlyCollection<Finding> changed, CancellationToken cancellationToken = default)
    {
        if (added.Count == 0 && changed.Count == 0)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ComplianceFindings.AddRange(added.Select(ToRow));
        db.ComplianceFindings.UpdateRange(changed.Select(ToRow));
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<Page<Finding>> QueryAsync(FindingQuery query, CancellationToken cancellationToken = default)
    {
        var size = Math.Clamp(query.PageSize, 1, FindingQuery.MaxPageSize);
        var index = Math.Max(0, query.PageIndex);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = db.ComplianceFindings.AsNoTracking().Visible(query.VisibleTo);
        if (query.PolicyId is { Length: > 0 } policy)
        {
            rows = rows.Where(f => f.PolicyId == policy);
        }

        if (query.Status is { } status)
        {
            var s = status.ToString();
            rows = rows.Where(f => f.Status == s);
        }

        if (query.MinimumSeverity is { } severity)
        {
            var rank = (int)severity;
            rows = rows.Where(f => f.SeverityRank >= rank);
        }

        if (query.AccountId is { Length: > 0 } account)
        {
            rows = rows.Where(f => f.FootprintAccount == account);
        }

        if (query.Region is { Length: > 0 } region)
        {
            rows = rows.Where(f => f.FootprintRegion == region);
        }

        if (query.ResourceType is { } type)
        {
            var t = type.Name();
            rows = rows.Where(f => f.ResourceType == t);
        }

        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            var text = query.Text.Trim();
            rows = rows.Where(f => f.ResourceId.Contains(text) || f.ResourceName.Contains(text) || (f.Owner != null && f.Owner.Contains(text)));
        }

        var total = await rows.CountAsync(cancellationToken);
        var page = await rows.OrderByDescending(f => f.SeverityRank).ThenBy(f => f.PolicyId).ThenBy(f => f.ResourceId).ThenBy(f => f.Id)
            .Skip((int)Math.Min((long)index * size, int.MaxValue)).Take(size).ToListAsync(cancellationToken);
        return new Page<Finding>(page.Select(ToFinding).ToList(), total, index, size);
    }

    public async Task<Finding?> FindAsync(Guid id, ReadScope visibleTo, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.ComplianceFindings.AsNoTracking().Visible(visibleTo).SingleOrDefaultAsync(f => f.Id == id, cancellationToken);
        return row is null ? null : ToFinding(row);
    }

    public async Task AddScanAsync(ScanSummary scan, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ComplianceScans.Add(new ComplianceScanRow { Id = scan.Id, At = scan.At, FailedScopes = JsonSerializer.Serialize(scan.FailedScopes, Json) });
        db.ComplianceTallies.AddRange(scan.Tallies.Select(t => new ComplianceTallyRow
        {
            ScanId = scan.Id, At = scan.At, PolicyId = t.PolicyId, Account = t.Scope.AccountId, Region = t.Scope.Region, Evaluated = t.Evaluated, Violating = t.Violating,
        }));
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ScanSummary>> ScansAsync(DateTimeOffset since, ReadScope visibleTo, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var scans = await db.ComplianceScans.AsNoTracking().Where(s => s.At >= since).ToListAsync(cancellationToken);
        var tallies = await db.ComplianceTallies.AsNoTracking().Where(t => t.At >= since).ToListAsync(cancellationToken);
        var byScan = tallies
            .Where(t => visibleTo.Covers(Footprint.Of(t.Account, t.Region, null)))
            .GroupBy(t => t.ScanId).ToDictionary(g => g.Key, g => g.Select(t => new PolicyTally(t.PolicyId, new CloudScope(t.Account, t.Region), t.Evaluated, t.Violating)).ToList());
        return scans.OrderBy(s => s.At)
            .Select(s => new ScanSummary(s.Id, s.At, byScan.GetValueOrDefault(s.Id) ?? [], JsonSerializer.Deserialize<List<string>>(s.FailedScopes, Json) ?? []))
            .ToList();
    }

    private static ComplianceFindingRow ToRow(Finding f)
    {
        var (account, region, tags) = FootprintFilter.Columns(f.Footprint);
        return new ComplianceFindingRow
        {
            Id = f.Id, Key = f.Key, PolicyId = f.PolicyId, Severity = f.Severity.ToString(), SeverityRank = (int)f.Severity, ResourceType = f.ResourceType.Name(),
            ResourceId = f.ResourceId, ResourceName = f.ResourceName, Owner = f.Owner, Evidence = f.Evidence, Status = f.Status.ToString(),
            FirstSeen = f.FirstSeen, LastSeen = f.LastSeen, ResolvedAt = f.ResolvedAt, TimesReopened = f.TimesReopened, WaiverId = f.WaiverId,
            Tags = JsonSerializer.Serialize(f.Tags, Json), History = JsonSerializer.Serialize(f.History.Select(h => new HistoryJson(h.At, h.What)), Json),
            FootprintAccount = account ?? string.Empty, FootprintRegion = region ?? string.Empty, FootprintTags = tags,
        };
    }

    private static Finding ToFinding(ComplianceFindingRow r)
    {
        ResourceTypes.TryParse(r.ResourceType, out var type);
        return Finding.Restore(
            r.Id, r.PolicyId, Enum.Parse<Severity>(r.Severity), type, new CloudScope(r.FootprintAccount, r.FootprintRegion), r.ResourceId, r.ResourceName,
            JsonSerializer.Deserialize<Dictionary<string, string>>(r.Tags, Json) ?? [], r.Owner, r.Evidence, Enum.Parse<FindingStatus>(r.Status),
            r.FirstSeen, r.LastSeen, r.ResolvedAt, r.TimesReopened, r.WaiverId,
            (JsonSerializer.Deserialize<List<HistoryJson>>(r.History, Json) ?? []).Select(h => new FindingEvent(h.At, h.What)));
    }

    private sealed record HistoryJson(DateTimeOffset At, string What);
}

/// <summary>Exceptions (waivers).</summary>
public sealed class EfWaiverStore(IDbContextFactory<PortalDbContext> contexts) : IWaiverStore
{
    public async Task AddAsync(Waiver waiver, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ComplianceWaivers.Add(new ComplianceWaiverRow
        {
            Id = waiver.Id, PolicyId = waiver.PolicyId, FindingId = waiver.FindingId, TagKey = waiver.TagKey, TagValue = waiver.TagValue, Reason = waiver.Reason,
            Owner = waiver.Owner, ExpiresAt = waiver.ExpiresAt, GrantedBy = waiver.GrantedBy, GrantedAt = waiver.GrantedAt, ExpiryNotifiedAt = waiver.ExpiryNotifiedAt,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Waiver>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.ComplianceWaivers.AsNoTracking().ToListAsync(cancellationToken);
        return rows.OrderBy(r => r.ExpiresAt)
            .Select(r => Waiver.Restore(r.Id, r.PolicyId, r.FindingId, r.TagKey, r.TagValue, r.Reason, r.Owner, r.ExpiresAt, r.GrantedBy, r.GrantedAt, r.ExpiryNotifiedAt))
            .ToList();
    }

    public async Task MarkExpiryNotifiedAsync(Guid waiverId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.ComplianceWaivers.Where(w => w.Id == waiverId && w.ExpiryNotifiedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(w => w.ExpiryNotifiedAt, at), cancellationToken);
    }
}
