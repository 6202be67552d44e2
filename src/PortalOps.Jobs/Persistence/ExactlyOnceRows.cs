namespace PortalOps.Jobs.Persistence;

/// <summary>One idempotency key an action ran with: claimed before the port is called, completed with the outcome after.</summary>
internal sealed class ExecutedActionRow
{
    /// <summary>"kind:key", e.g. "instances.reboot:3f2a…" (an approved request's key is its id).</summary>
    public string Key { get; set; } = string.Empty;

    public string KindName { get; set; } = string.Empty;

    public DateTimeOffset ClaimedAt { get; set; }

    /// <summary>The latest heartbeat of the process carrying the action out (null: none since the claim).</summary>
    public DateTimeOffset? AliveAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public bool? Succeeded { get; set; }

    public string? Summary { get; set; }

    public string? RequestId { get; set; }

    /// <summary>Instances the action made (a launch), as "account/region/id" separated by spaces.</summary>
    public string? Created { get; set; }
}
