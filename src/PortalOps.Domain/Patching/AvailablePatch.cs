namespace PortalOps.Domain.Patching;

/// <summary>A patch a scan found available for an instance.</summary>
public sealed record AvailablePatch(string Name, string Classification, string Severity, DateTimeOffset ReleasedAt);
