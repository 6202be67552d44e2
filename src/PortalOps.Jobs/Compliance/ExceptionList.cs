using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Compliance;

/// <summary>An exception as the list shows it, with the findings it covers that the reader may see.</summary>
public sealed record ExceptionRow(Waiver Waiver, bool Active, int Covered);

/// <summary>What the exceptions list asks for.</summary>
public sealed record ExceptionQuery
{
    /// <summary>true: not expired yet; false: expired; null: both.</summary>
    public bool? Active { get; init; } = true;

    public string? PolicyId { get; init; }

    /// <summary>Part of the reason, owner, grantor or tag.</summary>
    public string? Text { get; init; }

    public int PageIndex { get; init; }

    public int PageSize { get; init; } = 25;
}

/// <summary>
/// The exceptions a person may see: one whose covered findings all lie in the person's scopes (an exception that covers no finding
/// yet is shown to Admins and to whoever granted it). Exceptions are few (each one is granted by hand), so they are filtered here.
/// </summary>
public sealed class ExceptionList(IWaiverStore waivers, IFindingStore findings, TimeProvider clock)
{
    public async Task<Page<ExceptionRow>> QueryAsync(Actor actor, ExceptionQuery query, CancellationToken cancellationToken = default)
    {
        var rows = await VisibleAsync(actor, cancellationToken);
        var filtered = rows
            .Where(r => query.Active is null || r.Active == query.Active)
            .Where(r => string.IsNullOrWhiteSpace(query.PolicyId) || r.Waiver.PolicyId.Contains(query.PolicyId.Trim(), StringComparison.OrdinalIgnoreCase))
            .Where(r => string.IsNullOrWhiteSpace(query.Text) || Text(r.Waiver).Contains(query.Text.Trim(), StringComparison.OrdinalIgnoreCase))
            .ToList();
        var size = Math.Max(1, query.PageSize);
        return new Page<ExceptionRow>(filtered.Skip(query.PageIndex * size).Take(size).ToList(), filtered.Count, query.PageIndex, size);
    }

    /// <summary>The exception covering this finding, when the person may see the finding.</summary>
    public async Task<Waiver?> ForFindingAsync(Finding finding, CancellationToken cancellationToken = default) =>
        finding.WaiverId is { } id ? (await waivers.ListAsync(cancellationToken)).FirstOrDefault(w => w.Id == id) : null;

    private async Task<IReadOnlyList<ExceptionRow>> VisibleAsync(Actor actor, CancellationToken cancellationToken)
    {
        var all = await waivers.ListAsync(cancellationToken);
        if (all.Count == 0)
        {
            return [];
        }

        var now = clock.GetUtcNow();
        var byPolicy = (await findings.ForPoliciesAsync(all.Select(w => w.PolicyId).Distinct().ToList(), cancellationToken)).ToLookup(f => f.PolicyId, StringComparer.Ordinal);
        var scope = Authorizer.ReadScopeOf(actor);
        var rows = new List<ExceptionRow>();
        foreach (var w in all)
        {
            var covered = byPolicy[w.PolicyId].Where(w.Covers).ToList();
            var visible = covered.Count > 0
                ? covered.All(f => scope.Covers(f.Footprint))
                : actor.IsAtLeast(Role.Admin) || string.Equals(w.GrantedBy, actor.Name, StringComparison.OrdinalIgnoreCase);
            if (visible)
            {
                rows.Add(new ExceptionRow(w, w.IsActive(now), covered.Count(f => f.Status != FindingStatus.Resolved)));
            }
        }

        return rows.OrderBy(r => r.Active ? 0 : 1).ThenBy(r => r.Waiver.ExpiresAt).ToList();
    }

    private static string Text(Waiver w) => string.Join(' ', w.Reason, w.Owner, w.GrantedBy, w.TagKey, w.TagValue);
}
