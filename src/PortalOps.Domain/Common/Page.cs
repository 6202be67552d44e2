namespace PortalOps.Domain.Common;

/// <summary>One page of a server-side paged result.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int TotalCount, int PageIndex, int PageSize)
{
    public static Page<T> Empty(int pageSize = 25) => new([], 0, 0, pageSize);
}

/// <summary>Where a request came from. Every action carries one into the audit log.</summary>
public enum Channel
{
    Web,
    Telegram,
    Job,
    System,
}
