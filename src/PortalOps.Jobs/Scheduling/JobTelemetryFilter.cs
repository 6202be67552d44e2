using System.Diagnostics;
using Hangfire.Server;
using PortalOps.Jobs.Observability;

namespace PortalOps.Jobs.Scheduling;

/// <summary>
/// A Hangfire server filter that times every job this node runs and counts its failures (<see cref="PortalMetrics"/>), and
/// wraps the run in a span named after the job, so the job's database and AWS calls appear beneath it in a trace.
/// </summary>
public sealed class JobTelemetryFilter(PortalMetrics metrics) : IServerFilter
{
    private const string StartedKey = "portalops.started";
    private const string ActivityKey = "portalops.activity";

    public void OnPerforming(PerformingContext context)
    {
        context.Items[StartedKey] = Stopwatch.GetTimestamp();
        var activity = PortalMetrics.Source.StartActivity($"job {JobName(context)}", ActivityKind.Internal);
        if (activity is not null)
        {
            activity.SetTag("job.name", JobName(context));
            activity.SetTag("job.id", context.BackgroundJob.Id);
            context.Items[ActivityKey] = activity;
        }
    }

    public void OnPerformed(PerformedContext context)
    {
        var job = JobName(context);
        var failed = context.Exception is not null && !context.ExceptionHandled;
        if (context.Items.TryGetValue(StartedKey, out var started) && started is long timestamp)
        {
            metrics.JobDuration.Record(
                Stopwatch.GetElapsedTime(timestamp).TotalSeconds,
                new KeyValuePair<string, object?>("job", job),
                new KeyValuePair<string, object?>("outcome", failed ? "failed" : "succeeded"));
        }

        if (failed)
        {
            metrics.JobFailures.Add(1, new KeyValuePair<string, object?>("job", job));
        }

        if (context.Items.TryGetValue(ActivityKey, out var item) && item is Activity activity)
        {
            if (failed)
            {
                // The exception's type only: its message may carry resource names or worse.
                activity.SetStatus(ActivityStatusCode.Error, context.Exception!.GetType().Name);
            }

            activity.Dispose();
        }
    }

    /// <summary>The job's class and method (<c>ExpireApprovalsJob.RunAsync</c>): a bounded set, never its arguments.</summary>
    private static string JobName(PerformContext context) =>
        context.BackgroundJob.Job is { } job ? $"{job.Type.Name}.{job.Method.Name}" : "unknown";
}
