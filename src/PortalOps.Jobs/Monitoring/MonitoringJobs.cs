using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Monitoring;

namespace PortalOps.Jobs.Monitoring;

/// <summary>
/// Collects the metrics that closed since the last run, then evaluates every alert rule (scheduled every minute in
/// <see cref="Scheduling.RecurringJobs"/>). A failed collection still lets the rules judge what is stored, so a missing
/// metric shows as "no data", never as a false alarm.
/// </summary>
public sealed partial class MonitoringCycleJob(MetricCollector collector, AlertEngine engine, IOptions<MonitoringOptions> options, ILogger<MonitoringCycleJob> logger)
{
    [JobDisplayName("Collect metrics and evaluate alert rules")]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 120)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        try
        {
            var collected = await collector.CollectAsync(cancellationToken);
            if (collected.Points > 0 || collected.Errors.Count > 0)
            {
                LogCollected(logger, collected.Points, collected.Series, collected.Calls, collected.Errors.Count);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCollectionFailed(logger, ex);
        }

        var evaluated = await engine.EvaluateAsync(cancellationToken);
        if (evaluated.Opened + evaluated.Resolved + evaluated.Notifications > 0)
        {
            LogEvaluated(logger, evaluated.Rules, evaluated.Opened, evaluated.Resolved, evaluated.Notifications);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Collected {Points} point(s) of {Series} series in {Calls} call(s); {Errors} error(s).")]
    private static partial void LogCollected(ILogger logger, int points, int series, int calls, int errors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics collection failed; rules are evaluated on what is stored.")]
    private static partial void LogCollectionFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Rules} rule(s) evaluated: {Opened} alert(s) opened, {Resolved} resolved, {Notifications} notification(s).")]
    private static partial void LogEvaluated(ILogger logger, int rules, int opened, int resolved, int notifications);
}

/// <summary>In-process fan-out of "metrics or alerts changed" to open pages.</summary>
public sealed class MonitoringEvents : IMonitoringEvents
{
    private readonly Lock _gate = new();
    private Action[] _subscribers = [];

    public IDisposable Subscribe(Action onChanged)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers, onChanged];
        }

        return new Subscription(() =>
        {
            lock (_gate)
            {
                _subscribers = _subscribers.Where(s => s != onChanged).ToArray();
            }
        });
    }

    public void Publish()
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            try
            {
                subscriber();
            }
            catch (Exception)
            {
                // A page that closed meanwhile.
            }
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                dispose();
            }
        }
    }
}

/// <summary>
/// Runs the first monitoring cycle right after a start instead of at the next minute (safe: the cycle never runs twice at once and
/// the watermark keeps a second run from fetching anything). Does nothing in a host without background jobs.
/// </summary>
internal sealed class MonitoringStart(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetService<IRecurringJobManager>()?.Trigger(Scheduling.RecurringJobs.MonitoringCycle);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
