using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Monitoring;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.ScaleOut;

/// <summary>
/// Changes without data that open pages on every node should see at once — an approval made, decided or finished
/// (<see cref="Approvals"/>), an alert or new metrics (<see cref="Monitoring"/>) — sent across nodes on PostgreSQL with
/// <c>pg_notify</c> on the channel <see cref="Channel"/>. A change is handed to this node's subscribers at once and sent; every node
/// <c>LISTEN</c>s on a connection of its own and hands the others' changes to its subscribers (its own are skipped). Several
/// changes of one kind waiting to be sent leave as one. When the listening connection drops it is opened again with a back-off;
/// what was sent meanwhile is not replayed — the pages' periodic refresh catches up.
/// </summary>
public sealed partial class PostgresSignals : BackgroundService
{
    public const string Channel = "portalops_signals";

    public const string Approvals = "approvals";

    public const string Monitoring = "monitoring";

    private readonly PortalDatabase _database;
    private readonly ILogger<PostgresSignals> _logger;
    private readonly string _node = Guid.NewGuid().ToString("N");
    private readonly Dictionary<string, LocalSignal> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _waiting = new(StringComparer.Ordinal);
    private readonly Channel<string> _outgoing = System.Threading.Channels.Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public PostgresSignals(PortalDatabase database, ILogger<PostgresSignals> logger)
    {
        _database = database;
        _logger = logger;
        foreach (var topic in new[] { Approvals, Monitoring })
        {
            _topics[topic] = new LocalSignal();
            _waiting[topic] = 0;
        }
    }

    /// <summary>True once this node listens (tests wait for it).</summary>
    public bool Listening { get; private set; }

    public IDisposable Subscribe(string topic, Action onChanged) => _topics[topic].Subscribe(onChanged);

    /// <summary>Tells this node's subscribers at once and the other nodes' as soon as the notification is out.</summary>
    public void Publish(string topic)
    {
        _topics[topic].PublishHere();
        lock (_waiting)
        {
            // One waiting notification per kind is enough: it says "read again", whatever happened since.
            if (_waiting[topic]++ > 0)
            {
                return;
            }
        }

        _outgoing.Writer.TryWrite(topic);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ListenAsync(stoppingToken), SendAsync(stoppingToken));

    private async Task SendAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var topic in _outgoing.Reader.ReadAllAsync(stoppingToken))
            {
                lock (_waiting)
                {
                    _waiting[topic] = 0;
                }

                try
                {
                    await using var connection = new NpgsqlConnection(_database.ConnectionString);
                    await connection.OpenAsync(stoppingToken);
                    await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
                    notify.Parameters.AddWithValue("channel", Channel);
                    notify.Parameters.AddWithValue("payload", JsonSerializer.Serialize(new Message(_node, topic)));
                    await notify.ExecuteNonQueryAsync(stoppingToken);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
                {
                    LogSendFailed(_logger, topic, e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Not pooled: LISTEN belongs to the session, and a pooled connection would carry it to other users.
                var builder = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Pooling = false, KeepAlive = 5 };
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                Listening = true;
                if (backoff > TimeSpan.FromSeconds(1))
                {
                    // Back after an outage: whatever changed meanwhile was not heard, so every page reads again now.
                    foreach (var topic in _topics.Values)
                    {
                        topic.PublishHere();
                    }
                }

                backoff = TimeSpan.FromSeconds(1);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
            {
                Listening = false;
                LogListenFailed(_logger, e.GetType().Name, backoff.TotalSeconds);
                await Task.Delay(backoff, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        Message? message;
        try
        {
            message = JsonSerializer.Deserialize<Message>(e.Payload);
        }
        catch (JsonException)
        {
            return;
        }

        if (message is null || message.Node == _node || message.Topic is null || !_topics.TryGetValue(message.Topic, out var topic))
        {
            return;
        }

        topic.PublishHere();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A change ({Topic}) could not be sent to the other nodes ({Reason}); their pages catch up at their next refresh.")]
    private static partial void LogSendFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for other nodes' changes failed ({Reason}); trying again in {Seconds} s.")]
    private static partial void LogListenFailed(ILogger logger, string reason, double seconds);

    private sealed record Message(string Node, string Topic);
}

/// <summary>Approval changes on every node (PostgreSQL).</summary>
public sealed class CrossNodeApprovalEvents(PostgresSignals signals) : IApprovalEvents
{
    public IDisposable Subscribe(Action onChanged) => signals.Subscribe(PostgresSignals.Approvals, onChanged);

    public void Publish() => signals.Publish(PostgresSignals.Approvals);
}

/// <summary>Alerts and metrics changes on every node (PostgreSQL).</summary>
public sealed class CrossNodeMonitoringEvents(PostgresSignals signals) : IMonitoringEvents
{
    public IDisposable Subscribe(Action onChanged) => signals.Subscribe(PostgresSignals.Monitoring, onChanged);

    public void Publish() => signals.Publish(PostgresSignals.Monitoring);
}
