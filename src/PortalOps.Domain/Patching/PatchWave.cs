namespace PortalOps.Domain.Patching;

public enum WaveStatus
{
    Pending,
    Installing,

    /// <summary>Installed; waiting for the health gate (status checks and alert rules quiet for N minutes).</summary>
    Verifying,
    Succeeded,
    Failed,

    /// <summary>The run ended before this wave started.</summary>
    Cancelled,
}

/// <summary>One wave of a run: its number (0 is the canary), state and times.</summary>
public sealed record PatchWave(int Index, int Size, WaveStatus Status)
{
    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? InstalledAt { get; init; }

    /// <summary>When the health gate may pass (installed + the quiet time).</summary>
    public DateTimeOffset? GateUntil { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public string? Note { get; init; }

    public string Label => Index == 0 ? "Canary" : $"Wave {Index}";
}
