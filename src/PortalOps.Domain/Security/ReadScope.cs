namespace PortalOps.Domain.Security;

/// <summary>
/// What one person may read, as a filter that stores apply where they page (so counts and pages are right).
/// Made only by <see cref="Actions.Authorizer"/>: a record is readable when one of <see cref="Scopes"/> covers its footprint,
/// when it is the person's own (<see cref="OwnerId"/>), or always with <see cref="Everything"/>.
/// </summary>
public sealed record ReadScope(IReadOnlyList<Scope> Scopes, Guid? OwnerId = null, bool Everything = false)
{
    public bool Covers(Footprint? footprint) =>
        Everything || (footprint is not null && Scopes.Any(s => s.Covers(footprint.Account, footprint.Region, footprint.Tags)));

    /// <summary>Covers the footprint, or the record is this reader's own (<paramref name="owner"/>: who made it).</summary>
    public bool Allows(Footprint? footprint, Guid? owner) =>
        Covers(footprint) || (OwnerId is { } id && id != Guid.Empty && owner == id);
}
