using Hangfire.Logging;
using Microsoft.Extensions.Logging;
using HangfireLevel = Hangfire.Logging.LogLevel;
using MsLevel = Microsoft.Extensions.Logging.LogLevel;

namespace PortalOps.Jobs.Scheduling;

/// <summary>
/// Hangfire keeps loggers in static fields, process-wide. This provider hands out loggers that look up the current host's
/// logger factory at each call, so a logger created under one host never writes to that host's disposed factory after a
/// second host started in the same process (the test suite, or a host rebuilt in place).
/// </summary>
internal sealed class HangfireLogging : ILogProvider
{
    private static volatile ILoggerFactory? _current;

    public static HangfireLogging Provider { get; } = new();

    /// <summary>Makes this host's logging the one Hangfire writes to, and installs the provider.</summary>
    public static void Use(ILoggerFactory factory)
    {
        _current = factory;
        LogProvider.SetCurrentLogProvider(Provider);
    }

    public ILog GetLogger(string name) => new ForwardingLog(name);

    private sealed class ForwardingLog(string name) : ILog
    {
        public bool Log(HangfireLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            var factory = _current;
            if (factory is null)
            {
                return false;
            }

            try
            {
                var logger = factory.CreateLogger(name);
                var level = logLevel switch
                {
                    HangfireLevel.Trace => MsLevel.Trace,
                    HangfireLevel.Debug => MsLevel.Debug,
                    HangfireLevel.Info => MsLevel.Information,
                    HangfireLevel.Warn => MsLevel.Warning,
                    HangfireLevel.Error => MsLevel.Error,
                    HangfireLevel.Fatal => MsLevel.Critical,
                };
                if (messageFunc is null)
                {
                    return logger.IsEnabled(level);
                }

                logger.Log(level, 0, exception, "{Message}", messageFunc());
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
