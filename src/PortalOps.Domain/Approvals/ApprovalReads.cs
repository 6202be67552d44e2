using PortalOps.Domain.Actions;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Approvals;

/// <summary>A person's view of approval requests: their own, and those whose targets all lie in one of their scopes (the Authorizer decides).</summary>
public static class ApprovalReads
{
    /// <summary>How many of the newest requests are read to find the ones a person may see.</summary>
    public const int ScanLimit = 5000;

    /// <summary>The newest requests (with this status, or any) that this person may see, at most <paramref name="take"/>.</summary>
    public static async Task<IReadOnlyList<ApprovalRequest>> ListVisibleAsync(
        this IApprovalStore store, Actor actor, ApprovalStatus? status, int take, CancellationToken cancellationToken = default)
    {
        var all = await store.ListAsync(status, Math.Max(take, ScanLimit), cancellationToken);
        return all.Where(r => Authorizer.MaySee(actor, r)).Take(take).ToList();
    }

    /// <summary>The request, when it exists and this person may see it; otherwise null, as for a request that does not exist.</summary>
    public static async Task<ApprovalRequest?> FindVisibleAsync(this IApprovalStore store, Actor actor, Guid id, CancellationToken cancellationToken = default) =>
        await store.FindAsync(id, cancellationToken) is { } request && Authorizer.MaySee(actor, request) ? request : null;
}
