using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Scaling;

namespace PortalOps.Jobs.Scaling.OffHours;

/// <summary>
/// Acts on off-hours schedules every minute (<see cref="OffHoursEngine"/>): stops and starts instances, scales groups to zero and back
/// at period edges, stops instances past their running-time limit with a warning before, and tells people about drift. Safe twice and
/// on any node: each step's key is taken once in the database, and the action pipeline acts once per key.
/// </summary>
public sealed partial class OffHoursJob(OffHoursEngine engine, IOptions<OffHoursOptions> options, ILogger<OffHoursJob> logger)
{
    [JobDisplayName("Off-hours schedules")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 120)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var run = await engine.RunAsync(cancellationToken);
        if (run.Acted + run.Warned + run.DriftAlerted > 0 || run.Problems.Count > 0)
        {
            LogRun(logger, run.Evaluated, run.Acted, run.Recorded, run.Warned, run.Drift, run.DriftAlerted, run.Problems.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Off-hours: {Evaluated} resource(s) evaluated, {Acted} action(s) submitted, {Recorded} recorded without action, {Warned} warning(s), {Drift} drifting ({Alerted} newly alerted), {Problems} region(s) unreadable.")]
    private static partial void LogRun(ILogger logger, int evaluated, int acted, int recorded, int warned, int drift, int alerted, int problems);
}
