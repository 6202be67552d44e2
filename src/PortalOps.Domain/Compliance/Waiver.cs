using PortalOps.Domain.Common;

namespace PortalOps.Domain.Compliance;

/// <summary>
/// An exception to a policy: for one finding, or for the resources of a policy carrying a tag (key, optionally value),
/// with a reason, an owner and an expiry date that is required and must lie in the future when granted.
/// </summary>
public sealed class Waiver
{
    private Waiver()
    {
    }

    public Guid Id { get; private set; }

    public string PolicyId { get; private set; } = string.Empty;

    /// <summary>The one finding it covers; null for a policy-wide exception narrowed by <see cref="TagKey"/>.</summary>
    public Guid? FindingId { get; private set; }

    public string? TagKey { get; private set; }

    public string? TagValue { get; private set; }

    public string Reason { get; private set; } = string.Empty;

    public string Owner { get; private set; } = string.Empty;

    public DateTimeOffset ExpiresAt { get; private set; }

    public string GrantedBy { get; private set; } = string.Empty;

    public DateTimeOffset GrantedAt { get; private set; }

    /// <summary>Set when the owners have been told it expired, so they are told once.</summary>
    public DateTimeOffset? ExpiryNotifiedAt { get; private set; }

    public static Waiver Grant(
        string policyId, Guid? findingId, string? tagKey, string? tagValue, string reason, string owner,
        DateTimeOffset? expiresAt, string grantedBy, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(policyId))
        {
            throw new DomainException("Name the policy the exception is for.");
        }

        if (findingId is null && string.IsNullOrWhiteSpace(tagKey))
        {
            throw new DomainException("An exception covers one finding or the resources with a tag: name either.");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new DomainException("Give the reason for the exception.");
        }

        if (string.IsNullOrWhiteSpace(owner))
        {
            throw new DomainException("Name the owner of the exception.");
        }

        if (expiresAt is null)
        {
            throw new DomainException("An exception needs an expiry date.");
        }

        if (expiresAt <= now)
        {
            throw new DomainException("The expiry date must lie in the future.");
        }

        return new Waiver
        {
            Id = Guid.NewGuid(),
            PolicyId = policyId.Trim(),
            FindingId = findingId,
            TagKey = string.IsNullOrWhiteSpace(tagKey) ? null : tagKey.Trim(),
            TagValue = string.IsNullOrWhiteSpace(tagValue) ? null : tagValue.Trim(),
            Reason = reason.Trim(),
            Owner = owner.Trim(),
            ExpiresAt = expiresAt.Value,
            GrantedBy = grantedBy,
            GrantedAt = now,
        };
    }

    public static Waiver Restore(Guid id, string policyId, Guid? findingId, string? tagKey, string? tagValue, string reason, string owner,
        DateTimeOffset expiresAt, string grantedBy, DateTimeOffset grantedAt, DateTimeOffset? expiryNotifiedAt) =>
        new()
        {
            Id = id, PolicyId = policyId, FindingId = findingId, TagKey = tagKey, TagValue = tagValue, Reason = reason, Owner = owner,
            ExpiresAt = expiresAt, GrantedBy = grantedBy, GrantedAt = grantedAt, ExpiryNotifiedAt = expiryNotifiedAt,
        };

    public bool IsActive(DateTimeOffset now) => ExpiresAt > now;

    public bool Covers(Finding finding) =>
        string.Equals(finding.PolicyId, PolicyId, StringComparison.Ordinal)
        && (FindingId is { } id
            ? finding.Id == id
            : TagKey is not null && finding.Tags.TryGetValue(TagKey, out var v) && (TagValue is null || string.Equals(v, TagValue, StringComparison.OrdinalIgnoreCase)));

    public void MarkExpiryNotified(DateTimeOffset now) => ExpiryNotifiedAt ??= now;
}
