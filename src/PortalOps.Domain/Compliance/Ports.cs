using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Compliance;

/// <summary>One saved version of a policy's YAML, with who wrote it and when.</summary>
public sealed record PolicyVersion(string PolicyId, int Version, string Source, string Author, DateTimeOffset CreatedAt);

/// <summary>Stored policy versions and which policies are switched off.</summary>
public interface IPolicyStore
{
    /// <summary>The newest version of every stored policy.</summary>
    Task<IReadOnlyList<PolicyVersion>> LatestAsync(CancellationToken cancellationToken = default);

    /// <summary>Every version of one policy, newest first.</summary>
    Task<IReadOnlyList<PolicyVersion>> VersionsAsync(string policyId, CancellationToken cancellationToken = default);

    /// <summary>Adds the next version; throws <see cref="ConcurrencyConflictException"/> when that version number exists already.</summary>
    Task AddVersionAsync(PolicyVersion version, CancellationToken cancellationToken = default);

    /// <summary>Ids of the policies switched off (built-in or not).</summary>
    Task<IReadOnlySet<string>> DisabledAsync(CancellationToken cancellationToken = default);

    Task SetEnabledAsync(string policyId, bool enabled, string changedBy, CancellationToken cancellationToken = default);
}

/// <summary>The policies in force: the built-in pack and the stored ones, newest versions, with their on/off switch.</summary>
public interface IPolicySource
{
    Task<IReadOnlyList<Policy>> CurrentAsync(CancellationToken cancellationToken = default);
}

/// <summary>What a findings page asks for; <see cref="VisibleTo"/> comes from the Authorizer and is applied in the store.</summary>
public sealed record FindingQuery
{
    public const int MaxPageSize = 500;

    public string? PolicyId { get; init; }

    public FindingStatus? Status { get; init; }

    public Severity? MinimumSeverity { get; init; }

    public string? AccountId { get; init; }

    public string? Region { get; init; }

    public ResourceType? ResourceType { get; init; }

    /// <summary>Part of a resource id, name or owner.</summary>
    public string? Text { get; init; }

    public int PageIndex { get; init; }

    public int PageSize { get; init; } = 25;

    public ReadScope? VisibleTo { get; init; }
}

/// <summary>What one scan tallied, kept for the 30-day trend.</summary>
public sealed record ScanSummary(Guid Id, DateTimeOffset At, IReadOnlyList<PolicyTally> Tallies, IReadOnlyList<string> FailedScopes);

public interface IFindingStore
{
    /// <summary>Every finding (any status) of these policies: a scan folds its violations into them.</summary>
    Task<IReadOnlyList<Finding>> ForPoliciesAsync(IReadOnlyCollection<string> policyIds, CancellationToken cancellationToken = default);

    /// <summary>Open and waived findings.</summary>
    Task<IReadOnlyList<Finding>> UnresolvedAsync(CancellationToken cancellationToken = default);

    Task SaveAsync(IReadOnlyCollection<Finding> added, IReadOnlyCollection<Finding> changed, CancellationToken cancellationToken = default);

    Task<Page<Finding>> QueryAsync(FindingQuery query, CancellationToken cancellationToken = default);

    /// <summary>The finding, or null when it does not exist or <paramref name="visibleTo"/> does not cover it.</summary>
    Task<Finding?> FindAsync(Guid id, ReadScope visibleTo, CancellationToken cancellationToken = default);

    Task AddScanAsync(ScanSummary scan, CancellationToken cancellationToken = default);

    /// <summary>Scans since a time, oldest first, with only the tallies of account × regions <paramref name="visibleTo"/> covers.</summary>
    Task<IReadOnlyList<ScanSummary>> ScansAsync(DateTimeOffset since, ReadScope visibleTo, CancellationToken cancellationToken = default);
}

public interface IWaiverStore
{
    Task AddAsync(Waiver waiver, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Waiver>> ListAsync(CancellationToken cancellationToken = default);

    Task MarkExpiryNotifiedAsync(Guid waiverId, DateTimeOffset at, CancellationToken cancellationToken = default);
}

/// <summary>Tells people about new high-severity findings and expired exceptions (rolled up, like alerts).</summary>
public interface IComplianceNotifier
{
    Task NotifyAsync(IReadOnlyList<Finding> newHighSeverity, IReadOnlyList<(Waiver Waiver, IReadOnlyList<Finding> Reopened)> expired, CancellationToken cancellationToken = default);
}
