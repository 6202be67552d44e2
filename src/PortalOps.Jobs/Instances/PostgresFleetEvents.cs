using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Instances;

/// <summary>
/// Instance changes across nodes on PostgreSQL: a change published on one node reaches the open pages of every node. Each change
/// is handed to this node's subscribers at once and sent with <c>pg_notify</c> on the channel <see cref="Channel"/>; every node
/// <c>LISTEN</c>s on a connection of its own and hands the others' changes to its subscribers (its own are skipped, they were
/// delivered already). When the listening connection drops it is opened again with a back-off; changes sent meanwhile are not
/// replayed — the pages' periodic refresh catches up with them.
/// </summary>
public sealed partial class PostgresFleetEvents : BackgroundService, IFleetEvents
{
    public const string Channel = "portalops_fleet";

    private readonly FleetEvents _local = new();
    private readonly PortalDatabase _database;
    private readonly ILogger<PostgresFleetEvents> _logger;
    private readonly string _node = Guid.NewGuid().ToString("N");
    private readonly Channel<InstanceRef> _outgoing = System.Threading.Channels.Channel.CreateBounded<InstanceRef>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public PostgresFleetEvents(PortalDatabase database, ILogger<PostgresFleetEvents> logger)
    {
        _database = database;
        _logger = logger;
    }

    /// <summary>True once this node listens (tests wait for it).</summary>
    public bool Listening { get; private set; }

    public IDisposable Subscribe(Action<InstanceRef> onChanged) => _local.Subscribe(onChanged);

    public void Publish(InstanceRef changed)
    {
        _local.Publish(changed);
        _outgoing.Writer.TryWrite(changed);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ListenAsync(stoppingToken), SendAsync(stoppingToken));

    private async Task SendAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var changed in _outgoing.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await using var connection = new NpgsqlConnection(_database.ConnectionString);
                    await connection.OpenAsync(stoppingToken);
                    await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
                    notify.Parameters.AddWithValue("channel", Channel);
                    notify.Parameters.AddWithValue("payload", JsonSerializer.Serialize(new Message(_node, changed.AccountId, changed.Region, changed.InstanceId)));
                    await notify.ExecuteNonQueryAsync(stoppingToken);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
                {
                    LogSendFailed(_logger, e.GetType().Name);
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

        if (message is null || message.Node == _node || string.IsNullOrEmpty(message.InstanceId))
        {
            return;
        }

        _local.Publish(new InstanceRef(message.AccountId, message.Region, message.InstanceId));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An instance change could not be sent to the other nodes ({Reason}); their pages catch up at their next refresh.")]
    private static partial void LogSendFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for other nodes' instance changes failed ({Reason}); trying again in {Seconds} s.")]
    private static partial void LogListenFailed(ILogger logger, string reason, double seconds);

    private sealed record Message(string Node, string AccountId, string Region, string InstanceId);
}
