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

    public const string TargetGroupHealth = "loadbalancing.health";

    /// <summary>The target group health watch, every minute.</summary>
    public static void RegisterLoadBalancing(IRecurringJobManager manager) =>
        manager.AddOrUpdate<LoadBalancing.NoHealthyTargetsJob>(TargetGroupHealth, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
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
