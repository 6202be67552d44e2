namespace PortalOps.Domain.Backups;

/// <summary>
/// One schedule of a policy: a cron expression read in a time zone, and how long its recovery points are kept —
/// the newest <see cref="KeepCount"/> of each volume or instance, and none older than <see cref="KeepDays"/> (when set).
/// </summary>
public sealed record BackupRule(string Name, string Cron, string TimeZone, int KeepCount, int? KeepDays = null);
