using Hangfire;
using Microsoft.Extensions.Hosting;
using PortalOps.Jobs.Approvals;
using PortalOps.Jobs.Monitoring;

namespace PortalOps.Jobs.Scheduling;

/// <summary>Every recurring schedule, in one place. Registering is idempotent, so each node may do it at start.</summary>
public static class RecurringJobs
{
    public const string ExpireApprovals = "approvals.expire";
    public const string MonitoringCycle = "monitoring.cycle";
    public const string SweepApprovals = "approvals.sweep";
    public const string ComplianceScan = "compliance.scan";
    public const string ComplianceWaivers = "compliance.waivers";
    public const string PatchScan = "patching.scan";
    public const string PatchRuns = "patching.runs";
    public const string BackupWindows = "backups.windows";
    public const string BackupRuns = "backups.runs";
    public const string BackupDrills = "backups.drills";
    public const string BackupRpo = "backups.rpo";
    public const string CostScan = "costs.scan";
    public const string ScalingHistory = "scaling.history";

    /// <param name="patchScanCron">When the patch scan runs (<see cref="Patching.PatchingOptions.ScanCron"/>); every six hours by default.</param>
    public static void Register(IRecurringJobManager manager, string? patchScanCron = null)
    {
        manager.AddOrUpdate<ExpireApprovalsJob>(ExpireApprovals, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        manager.AddOrUpdate<SweepApprovedActionsJob>(SweepApprovals, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        manager.AddOrUpdate<MonitoringCycleJob>(MonitoringCycle, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        manager.AddOrUpdate<Patching.PatchScanJob>(PatchScan, job => job.RunAsync(CancellationToken.None), patchScanCron ?? "0 */6 * * *");
        manager.AddOrUpdate<Patching.PatchRunJob>(PatchRuns, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
    }

    /// <summary>The compliance scan every <paramref name="intervalHours"/> hours (setting Compliance:ScanIntervalHours) and exceptions hourly.</summary>
    public static void RegisterCompliance(IRecurringJobManager manager, int intervalHours)
    {
        manager.AddOrUpdate<Compliance.ComplianceScanJob>(ComplianceScan, job => job.RunAsync(CancellationToken.None), $"7 */{intervalHours} * * *");
        manager.AddOrUpdate<Compliance.ComplianceWaiversJob>(ComplianceWaivers, job => job.RunAsync(CancellationToken.None), Cron.Hourly(37));
    }

    /// <summary>Prefix of the report schedules' job ids: compliance.report.NAME.</summary>
    public const string ComplianceReportPrefix = "compliance.report.";

    /// <summary>
    /// One job per report schedule (setting ComplianceReports:Schedules): weekly on Mondays, monthly on the 1st, 06:00 UTC. Jobs of
    /// schedules no longer configured are removed when <paramref name="storage"/> is given.
    /// </summary>
    public static void RegisterComplianceReports(IRecurringJobManager manager, IReadOnlyList<Domain.Compliance.Reports.ReportSchedule> schedules, JobStorage? storage)
    {
        foreach (var s in schedules)
        {
            var name = s.Name;
            manager.AddOrUpdate<Compliance.Reports.ComplianceReportJob>(
                ComplianceReportPrefix + name, job => job.RunAsync(name, CancellationToken.None),
                s.Cadence == Domain.Compliance.Reports.ReportCadence.Weekly ? "0 6 * * 1" : "0 6 1 * *");
        }

        if (storage is null)
        {
            return;
        }

        using var connection = storage.GetConnection();
        foreach (var job in Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection))
        {
            if (job.Id.StartsWith(ComplianceReportPrefix, StringComparison.Ordinal) && schedules.All(s => ComplianceReportPrefix + s.Name != job.Id))
            {
                manager.RemoveIfExists(job.Id);
            }
        }
    }

    /// <summary>Backups: due windows are started and active runs moved on every minute (each policy rule keeps its own cron).</summary>
    public static void RegisterBackups(IRecurringJobManager manager)
    {
        manager.AddOrUpdate<Backups.BackupWindowJob>(BackupWindows, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        manager.AddOrUpdate<Backups.BackupRunJob>(BackupRuns, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        manager.AddOrUpdate<Backups.BackupDrillJob>(BackupDrills, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        manager.AddOrUpdate<Backups.BackupRpoJob>(BackupRpo, job => job.RunAsync(CancellationToken.None), "*/15 * * * *");
    }

    /// <summary>The daily cost scan at <paramref name="cron"/> (setting Costs:ScanCron); a scheduled run skips a day already scanned.</summary>
    public static void RegisterCosts(IRecurringJobManager manager, string cron) =>
        manager.AddOrUpdate<Costs.CostScanJob>(CostScan, job => job.RunAsync(false, CancellationToken.None), cron);

    /// <summary>Auto Scaling capacity history every <paramref name="intervalMinutes"/> minutes (setting Scaling:HistoryIntervalMinutes).</summary>
    public static void RegisterScaling(IRecurringJobManager manager, int intervalMinutes) =>
        manager.AddOrUpdate<Scaling.ScalingHistoryJob>(ScalingHistory, job => job.RunAsync(CancellationToken.None), $"*/{intervalMinutes} * * * *");

    public const string OffHoursSchedules = "offhours.schedules";

    /// <summary>The off-hours scheduler, every minute (edges act within the minute; a run twice acts once).</summary>
    public static void RegisterOffHours(IRecurringJobManager manager) =>
        manager.AddOrUpdate<Scaling.OffHours.OffHoursJob>(OffHoursSchedules, job => job.RunAsync(CancellationToken.None), Cron.Minutely());

    public const string TargetGroupHealth = "loadbalancing.health";

    /// <summary>The target group health watch, every minute.</summary>
    public static void RegisterLoadBalancing(IRecurringJobManager manager) =>
        manager.AddOrUpdate<LoadBalancing.NoHealthyTargetsJob>(TargetGroupHealth, job => job.RunAsync(CancellationToken.None), Cron.Minutely());

    public const string CostWatch = "costs.watch";
    public const string CostDigest = "costs.digest";

    /// <summary>The budget and anomaly watch at <paramref name="watchCron"/> and the weekly digest at <paramref name="digestCron"/> (Costs:WatchCron, Costs:DigestCron).</summary>
    public static void RegisterCostWatch(IRecurringJobManager manager, string watchCron, string digestCron)
    {
        manager.AddOrUpdate<Costs.CostWatchJob>(CostWatch, job => job.RunAsync(CancellationToken.None), watchCron);
        manager.AddOrUpdate<Costs.CostDigestJob>(CostDigest, job => job.RunAsync(CancellationToken.None), digestCron);
    }

    public const string DrainResume = "loadbalancing.drain-resume";

    /// <summary>Registers again running instances whose drained registrations a restart left behind, every five minutes.</summary>
    public static void RegisterDrainResume(IRecurringJobManager manager) =>
        manager.AddOrUpdate<LoadBalancing.DrainResumeJob>(DrainResume, job => job.RunAsync(CancellationToken.None), "*/5 * * * *");
}

/// <summary>Registers <see cref="RecurringJobs"/> when the host starts.</summary>
internal sealed class RecurringJobsRegistration(IRecurringJobManager manager, Microsoft.Extensions.Options.IOptions<Patching.PatchingOptions>? patching = null) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        RecurringJobs.Register(manager, patching?.Value.ScanCron);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
