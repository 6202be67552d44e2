using System.Globalization;

namespace PortalOps.Domain.Compliance;

/// <summary>
/// An exception as a person asks for it: for one finding, or for a policy's findings on resources with a tag; reason, owner and an
/// expiry that is required and in the future. <see cref="Problems"/> names the field each problem belongs to, so a page shows it there.
/// It travels to the pipeline as the request's parameters and is read back from them at execution.
/// </summary>
public sealed record ExceptionDraft(string? PolicyId, Guid? FindingId, string? TagKey, string? TagValue, string? Reason, string? Owner, DateTimeOffset? ExpiresAt)
{
    public const string PolicyField = "policy";
    public const string TargetField = "target";
    public const string ReasonField = "reason";
    public const string OwnerField = "owner";
    public const string ExpiresField = "expires";
    public const int MaxReason = 500;
    public const int MaxName = 128;

    private const string FindingParameter = "finding";
    private const string TagKeyParameter = "tag-key";
    private const string TagValueParameter = "tag-value";
    private const string GrantedByParameter = "granted-by";

    /// <summary>What is wrong, by field; empty when the draft may be asked for at <paramref name="now"/>.</summary>
    public IReadOnlyDictionary<string, string> Problems(DateTimeOffset now)
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(PolicyId))
        {
            problems[PolicyField] = "Name the policy the exception is for.";
        }

        if (FindingId is null && string.IsNullOrWhiteSpace(TagKey))
        {
            problems[TargetField] = "An exception covers one finding or the resources with a tag: name the tag key.";
        }
        else if (TagKey is { Length: > MaxName } || TagValue is { Length: > MaxName })
        {
            problems[TargetField] = $"A tag key or value is at most {MaxName} characters.";
        }

        if (string.IsNullOrWhiteSpace(Reason))
        {
            problems[ReasonField] = "Give the reason for the exception.";
        }
        else if (Reason.Length > MaxReason)
        {
            problems[ReasonField] = $"The reason is at most {MaxReason} characters.";
        }

        if (string.IsNullOrWhiteSpace(Owner))
        {
            problems[OwnerField] = "Name the owner of the exception.";
        }
        else if (Owner.Length > MaxName)
        {
            problems[OwnerField] = $"The owner is at most {MaxName} characters.";
        }

        if (ExpiresAt is null)
        {
            problems[ExpiresField] = "An exception needs an expiry date.";
        }
        else if (ExpiresAt <= now)
        {
            problems[ExpiresField] = "The expiry date must lie in the future.";
        }

        return problems;
    }

    /// <summary>Whether the draft covers this finding (its policy, and its id or its tag).</summary>
    public bool Covers(Finding finding) =>
        string.Equals(finding.PolicyId, PolicyId?.Trim(), StringComparison.Ordinal)
        && (FindingId is { } id
            ? finding.Id == id
            : !string.IsNullOrWhiteSpace(TagKey) && finding.Tags.TryGetValue(TagKey.Trim(), out var v)
              && (string.IsNullOrWhiteSpace(TagValue) || string.Equals(v, TagValue.Trim(), StringComparison.OrdinalIgnoreCase)));

    /// <summary>What it covers, in words: "finding …" or "tag env=prod".</summary>
    public string Describe() =>
        FindingId is { } id ? $"{PolicyId} finding {id}" : $"{PolicyId} on resources tagged {TagKey}{(string.IsNullOrWhiteSpace(TagValue) ? string.Empty : "=" + TagValue)}";

    public IReadOnlyDictionary<string, string> ToParameters(string grantedBy)
    {
        var p = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RemediationExecutor.PolicyParameter] = PolicyId?.Trim() ?? string.Empty,
            [ReasonField] = Reason?.Trim() ?? string.Empty,
            [OwnerField] = Owner?.Trim() ?? string.Empty,
            [ExpiresField] = ExpiresAt?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) ?? string.Empty,
            [GrantedByParameter] = grantedBy,
        };
        if (FindingId is { } id)
        {
            p[FindingParameter] = id.ToString();
        }

        if (!string.IsNullOrWhiteSpace(TagKey))
        {
            p[TagKeyParameter] = TagKey.Trim();
        }

        if (!string.IsNullOrWhiteSpace(TagValue))
        {
            p[TagValueParameter] = TagValue.Trim();
        }

        return p;
    }

    public static (ExceptionDraft Draft, string GrantedBy) FromParameters(IReadOnlyDictionary<string, string> p) =>
        (new ExceptionDraft(
            p.GetValueOrDefault(RemediationExecutor.PolicyParameter),
            Guid.TryParse(p.GetValueOrDefault(FindingParameter), out var id) ? id : null,
            p.GetValueOrDefault(TagKeyParameter),
            p.GetValueOrDefault(TagValueParameter),
            p.GetValueOrDefault(ReasonField),
            p.GetValueOrDefault(OwnerField),
            DateTimeOffset.TryParse(p.GetValueOrDefault(ExpiresField), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : null),
         p.GetValueOrDefault(GrantedByParameter) ?? "unknown");
}
