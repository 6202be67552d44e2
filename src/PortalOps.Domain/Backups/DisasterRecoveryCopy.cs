namespace PortalOps.Domain.Backups;

/// <summary>
/// Where each new recovery point is copied: another region (optionally another account), re-encrypted under
/// <see cref="KmsKeyId"/> there, and kept by its own count and age.
/// </summary>
public sealed record DisasterRecoveryCopy(string Region, string? KmsKeyId, int KeepCount, int? KeepDays = null, string? AccountId = null);
