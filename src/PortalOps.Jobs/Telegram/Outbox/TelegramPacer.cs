using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Telegram.Outbox;

/// <summary>
/// Telegram's limits across nodes. Every node has its own outbound queue, but the bot has one set of limits: one message at a time
/// per chat (and a second, or three for a group, between them) and 30 a second overall. On PostgreSQL the nodes share them through
/// the table <c>TelegramPacing</c>: before a send a node <b>holds the chat</b> (only when nobody else does and the chat's next
/// moment has come), then <b>takes one of 30 overall permits</b> (each free again a second after the answer to its last send), sends,
/// and <b>lets both go</b>, saying when the next message may follow — counted from Telegram's answer, so that no second at Telegram
/// sees more than the limits however late a request leaves its node.
/// A node that dies holding a chat loses it after <see cref="HoldFor"/>. On SQLite (one node) the queue's own pacing is all there is.
/// </summary>
public sealed partial class TelegramPacer
{
    /// <summary>How long a chat stays held by a node that neither sends nor lets it go (a node that died mid-send).</summary>
    public static readonly TimeSpan HoldFor = TimeSpan.FromSeconds(30);

    /// <summary>The first overall permit's row; permits take the lowest ids, far below any chat id Telegram uses.</summary>
    public const long FirstPermit = long.MinValue;

    /// <summary>A permit is free again this long after Telegram's answer (a second, and 5 ms for the clocks' resolution).</summary>
    public static readonly TimeSpan PermitCooldown = TimeSpan.FromMilliseconds(1005);

    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);

    private readonly PortalDatabase _database;
    private readonly ILogger _logger;
    private readonly string _node = $"{Environment.MachineName[..Math.Min(40, Environment.MachineName.Length)]}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private long _nextPrune;
    private int _permitsMade;

    public TelegramPacer(PortalDatabase database, ILogger<TelegramPacer> logger)
    {
        _database = database;
        _logger = logger;
    }

    /// <summary>True when several nodes may send (PostgreSQL).</summary>
    public bool IsShared => _database.Provider == DatabaseProvider.Postgres;

    /// <summary>This node's name in the table.</summary>
    public string Node => _node;

    /// <summary>
    /// Holds the chat for this node. Null when held; otherwise how long to wait before trying again (another node holds it, or its
    /// next moment has not come). <paramref name="interval"/> is the chat's spacing, the guess for how long another node keeps it.
    /// </summary>
    public async Task<TimeSpan?> TryHoldChatAsync(long chatId, TimeSpan interval, CancellationToken cancellationToken)
    {
        // The statement's own reads see the table as it was before the statement: a row that looks free there but was not taken
        // here was just taken by another node, so the wait is counted as the chat's interval — never read as "held".
        const string Sql = """
            WITH held AS (
                INSERT INTO "TelegramPacing" AS p ("ChatId", "NotBefore", "Holder", "HeldUntil")
                VALUES (@chat, clock_timestamp(), @node, clock_timestamp() + @hold)
                ON CONFLICT ("ChatId") DO UPDATE SET "Holder" = excluded."Holder", "HeldUntil" = excluded."HeldUntil"
                WHERE p."NotBefore" <= clock_timestamp() AND (p."HeldUntil" IS NULL OR p."HeldUntil" <= clock_timestamp() OR p."Holder" = excluded."Holder")
                RETURNING 1)
            SELECT EXISTS (SELECT 1 FROM held),
                   COALESCE((SELECT GREATEST(CASE WHEN q."HeldUntil" > clock_timestamp() AND q."Holder" <> @node THEN @interval_s ELSE 0 END,
                                             EXTRACT(EPOCH FROM (q."NotBefore" - clock_timestamp())),
                                             CASE WHEN q."NotBefore" <= clock_timestamp() THEN @interval_s ELSE 0 END)
                             FROM "TelegramPacing" q WHERE q."ChatId" = @chat), @interval_s)::double precision
            """;
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(Sql, connection);
        command.Parameters.AddWithValue("chat", chatId);
        command.Parameters.AddWithValue("node", _node);
        command.Parameters.AddWithValue("hold", HoldFor);
        command.Parameters.AddWithValue("interval_s", interval.TotalSeconds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (reader.GetBoolean(0))
        {
            return null;
        }

        var seconds = reader.GetDouble(1);

        // Never spin: at least 20 ms, and the row's own answer otherwise.
        return TimeSpan.FromSeconds(Math.Max(0.02, seconds));
    }

    /// <summary>
    /// Takes one of the bot's overall permits: there are as many as messages allowed a second, and a permit let go is free again a
    /// second after Telegram's answer. A send waits for a permit, so no second sees more sends than there are permits, however late
    /// any of them leaves its node. Returns the permit, or how long to wait before asking again.
    /// </summary>
    public async Task<(long? Permit, TimeSpan Wait)> TakePermitAsync(int permits, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        if (Volatile.Read(ref _permitsMade) < permits)
        {
            await using var make = new NpgsqlCommand("""
                INSERT INTO "TelegramPacing" ("ChatId", "NotBefore") SELECT @first + g, clock_timestamp() FROM generate_series(0, @count - 1) g
                ON CONFLICT ("ChatId") DO NOTHING
                """, connection);
            make.Parameters.AddWithValue("first", FirstPermit);
            make.Parameters.AddWithValue("count", permits);
            await make.ExecuteNonQueryAsync(cancellationToken);
            Volatile.Write(ref _permitsMade, permits);
        }

        const string Sql = """
            WITH free AS (
                SELECT "ChatId" FROM "TelegramPacing"
                WHERE "ChatId" BETWEEN @first AND @last AND "NotBefore" <= clock_timestamp()
                  AND ("HeldUntil" IS NULL OR "HeldUntil" <= clock_timestamp())
                ORDER BY "NotBefore" LIMIT 1 FOR UPDATE SKIP LOCKED),
            taken AS (
                UPDATE "TelegramPacing" p SET "Holder" = @node, "HeldUntil" = clock_timestamp() + @hold
                FROM free WHERE p."ChatId" = free."ChatId"
                RETURNING p."ChatId")
            SELECT (SELECT "ChatId" FROM taken),
                   COALESCE((SELECT EXTRACT(EPOCH FROM (min("NotBefore") - clock_timestamp())) FROM "TelegramPacing"
                             WHERE "ChatId" BETWEEN @first AND @last AND ("HeldUntil" IS NULL OR "HeldUntil" <= clock_timestamp())), 0.05)::double precision
            """;
        await using var command = new NpgsqlCommand(Sql, connection);
        command.Parameters.AddWithValue("first", FirstPermit);
        command.Parameters.AddWithValue("last", FirstPermit + permits - 1);
        command.Parameters.AddWithValue("node", _node);
        command.Parameters.AddWithValue("hold", HoldFor);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (!reader.IsDBNull(0))
        {
            return (reader.GetInt64(0), TimeSpan.Zero);
        }

        // Between 5 ms and a second: when the earliest permit is free again, or soon when all of them are in flight.
        return (null, TimeSpan.FromSeconds(Math.Clamp(reader.GetDouble(1), 0.005, 1)));
    }

    /// <summary>
    /// Lets the chat go — the next message there (from any node) waits <paramref name="after"/> from now — and the permit, free
    /// again a second from now.
    /// </summary>
    public async Task LetGoAsync(long chatId, TimeSpan after, long? permit, CancellationToken cancellationToken)
    {
        const string Sql = """
            UPDATE "TelegramPacing" SET "NotBefore" = clock_timestamp() + @after, "Holder" = NULL, "HeldUntil" = NULL
            WHERE "ChatId" = @chat AND "Holder" = @node;
            UPDATE "TelegramPacing" SET "NotBefore" = clock_timestamp() + @second, "Holder" = NULL, "HeldUntil" = NULL
            WHERE "ChatId" = @permit AND "Holder" = @node;
            """;
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(Sql, connection))
        {
            command.Parameters.AddWithValue("chat", chatId);
            command.Parameters.AddWithValue("node", _node);
            command.Parameters.AddWithValue("after", after);
            command.Parameters.AddWithValue("permit", permit ?? chatId);
            command.Parameters.AddWithValue("second", PermitCooldown);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await PruneAsync(connection, cancellationToken);
    }

    // Chats idle for an hour are forgotten, so the table holds recent chats only.
    private async Task PruneAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var now = Environment.TickCount64;
        var due = Interlocked.Read(ref _nextPrune);
        if (now < due || Interlocked.CompareExchange(ref _nextPrune, now + (long)PruneEvery.TotalMilliseconds, due) != due)
        {
            return;
        }

        await using var command = new NpgsqlCommand("""
            DELETE FROM "TelegramPacing"
            WHERE "ChatId" > @key AND "NotBefore" < clock_timestamp() - interval '1 hour' AND ("HeldUntil" IS NULL OR "HeldUntil" < clock_timestamp())
            """, connection);
        command.Parameters.AddWithValue("key", FirstPermit + 100_000);
        var removed = await command.ExecuteNonQueryAsync(cancellationToken);
        if (removed > 0)
        {
            LogPruned(_logger, removed);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Forgot the Telegram pace of {Count} idle chat(s).")]
    private static partial void LogPruned(ILogger logger, int count);
}
