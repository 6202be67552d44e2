using PortalOps.Domain.Security;

namespace PortalOps.Domain.Patching;

/// <summary>One page of instance patch states, filtered on the server and limited to what the reader may see.</summary>
public sealed record PatchStateQuery(ReadScope Scope)
{
    public const int MaxPageSize = 500;

    public string? Text { get; init; }

    public string? AccountId { get; init; }

    public string? Region { get; init; }

    public string? PatchGroup { get; init; }

    /// <summary>Agent online (true), not online (false) or either (null).</summary>
    public bool? AgentOnline { get; init; }

    public PatchComplianceLevel? Compliance { get; init; }

    /// <summary>The reference time for <see cref="Compliance"/> (a scan older than the stale limit is unknown).</summary>
    public DateTimeOffset Now { get; init; }

    public int PageIndex { get; init; }

    public int PageSize { get; init; } = 25;
}
