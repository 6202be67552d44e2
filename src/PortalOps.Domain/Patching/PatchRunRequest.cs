namespace PortalOps.Domain.Patching;

/// <summary>What a person asks for when starting a run.</summary>
public sealed record PatchRunRequest(string GroupName, int CanaryPercent, int BatchPercent, RebootPolicy Reboot, int HealthQuietMinutes, string? IdempotencyKey = null);
