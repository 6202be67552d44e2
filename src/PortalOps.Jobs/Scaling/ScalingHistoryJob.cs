using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Scaling;

namespace PortalOps.Jobs.Scaling;

/// <summary>
/// Records every group's capacity and announces failed launches (<see cref="CapacityRecorder"/>), then drops history older than
/// <see cref="ScalingOptions.HistoryDays"/>. Safe twice and on any node: a moment is recorded once and a failure announced once.
/// </summary>
public sealed partial class ScalingHistoryJob(CapacityRecorder recorder, ICapacityHistory history, IOptions<ScalingOptions> options, TimeProvider clock, ILogger<ScalingHistoryJob> logger)
{
    [JobDisplayName("Record Auto Scaling capacity")]
    [AutomaticRetry(Attempts = 1)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var r = await recorder.RecordAsync(TimeSpan.FromMinutes(options.Value.HistoryIntervalMinutes), cancellationToken);
        await history.PruneAsync(clock.GetUtcNow().AddDays(-options.Value.HistoryDays), cancellationToken);
        LogRecorded(logger, r.Groups, r.NewSamples, r.FailedLaunches, r.Problems.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Auto Scaling capacity: {Groups} group(s), {Samples} new sample(s), {Failed} failed launch(es) announced, {Problems} region(s) unreadable.")]
    private static partial void LogRecorded(ILogger logger, int groups, int samples, int failed, int problems);
}
