using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace PortalOps.Jobs.Persistence;

/// <summary>
/// Failed logins counted in the database, so that every node sees the same count. A key is an account (<see cref="ForUser"/>) or,
/// for a name that belongs to no account, one of <see cref="NameBuckets"/> buckets of the name (<see cref="ForUnknownName"/>): the
/// table holds at most one row per account plus the buckets, whatever names an attacker invents, and a name without an account is
/// locked the same way as one with (the answer does not tell which names exist). A count starts with the first failure and lasts
/// <c>window</c>; reaching the limit inside it locks the key for <c>window</c> from then. Every change is one statement, so two
/// nodes counting at once both count.
/// </summary>
public sealed class EfLoginFailures(IDbContextFactory<PortalDbContext> contexts)
{
    /// <summary>Buckets for names that belong to no account.</summary>
    public const int NameBuckets = 1024;

    private long _nextPrune;

    public static string ForUser(Guid userId) => $"user:{userId:N}";

    public static string ForUnknownName(string userName)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(userName.Trim().ToUpperInvariant()));
        return $"name:{BitConverter.ToUInt32(hash, 0) % NameBuckets}";
    }

    public async Task<bool> IsLockedAsync(string key, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var lockedUntil = await db.LoginFailures.AsNoTracking().Where(f => f.Key == key).Select(f => f.LockedUntil).FirstOrDefaultAsync(cancellationToken);
        return lockedUntil > now;
    }

    /// <summary>Counts a failure; true when the key is locked now.</summary>
    public async Task<bool> RecordFailureAsync(string key, DateTimeOffset now, int limit, TimeSpan window, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var sqlite = db.Provider == DatabaseProvider.Sqlite;
        object At(DateTimeOffset value) => sqlite ? value.UtcTicks : value.ToUniversalTime();

        // One statement: a new window, or one more failure in the current one (locking at the limit).
        await db.Database.ExecuteSqlRawAsync(
            """
            INSERT INTO "LoginFailures" ("Key", "Failures", "WindowStart", "LockedUntil") VALUES ({0}, 1, {1}, CASE WHEN {3} <= 1 THEN {4} ELSE NULL END)
            ON CONFLICT ("Key") DO UPDATE SET
                "Failures" = CASE WHEN "LoginFailures"."WindowStart" <= {2} THEN 1 ELSE "LoginFailures"."Failures" + 1 END,
                "LockedUntil" = CASE WHEN "LoginFailures"."WindowStart" > {2} AND "LoginFailures"."Failures" + 1 >= {3} THEN {4}
                                     WHEN "LoginFailures"."WindowStart" <= {2} AND {3} <= 1 THEN {4}
                                     ELSE "LoginFailures"."LockedUntil" END,
                "WindowStart" = CASE WHEN "LoginFailures"."WindowStart" <= {2} THEN {1} ELSE "LoginFailures"."WindowStart" END
            """,
            [key, At(now), At(now - window), limit, At(now + window)],
            cancellationToken);

        if (now.UtcTicks > Interlocked.Read(ref _nextPrune))
        {
            Interlocked.Exchange(ref _nextPrune, (now + TimeSpan.FromMinutes(5)).UtcTicks);
            var cutoff = now - window;
            await db.LoginFailures.Where(f => f.WindowStart < cutoff && (f.LockedUntil == null || f.LockedUntil < now)).ExecuteDeleteAsync(cancellationToken);
        }

        return await IsLockedAsync(key, now, cancellationToken);
    }

    public async Task ResetAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.LoginFailures.Where(f => f.Key == key).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Rows kept (tests: the table stays bounded).</summary>
    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.LoginFailures.CountAsync(cancellationToken);
    }
}
