namespace PortalOps.Domain.Instances;

/// <summary>How the last inventory refresh went in one account and region.</summary>
public sealed record RegionStatus(
    string AccountId,
    string Region,
    int InstanceCount,
    DateTimeOffset? LastSuccess,
    DateTimeOffset? LastAttempt,
    string? Error = null,
    string? ErrorCode = null,
    string? RequestId = null)
{
    public bool Healthy => Error is null;
}

/// <summary>The state of the fleet cache: when it was refreshed and which account × region failed, with why.</summary>
public sealed record InventoryStatus(DateTimeOffset? RefreshedAt, IReadOnlyList<RegionStatus> Regions)
{
    public static readonly InventoryStatus Never = new(null, []);

    public bool Healthy => Regions.All(r => r.Healthy);
}

/// <summary>Lets a page show per account × region errors and ask for a fresh inventory.</summary>
public interface IInventoryStatus
{
    InventoryStatus Current { get; }

    Task<InventoryStatus> RefreshAsync(CancellationToken cancellationToken = default);
}
