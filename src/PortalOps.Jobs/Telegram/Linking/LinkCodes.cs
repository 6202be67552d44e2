using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Telegram.Linking;

/// <summary>One-time linking codes for Telegram accounts.</summary>
public interface ILinkCodes
{
    /// <summary>A new code for the user (their older unused codes stop working); shown once.</summary>
    Task<(string Code, DateTimeOffset ExpiresAt)> IssueAsync(Guid userId, TimeSpan lifetime, CancellationToken cancellationToken = default);

    /// <summary>Uses the code up and returns whose it was; null when it is unknown, used or expired.</summary>
    Task<Guid?> ConsumeAsync(string code, CancellationToken cancellationToken = default);
}

/// <summary>
/// One-time linking codes: 128 random bits shown once on the Profile page (and in the deep link); only the SHA-256 is stored.
/// Using a code is one conditional update, so it works once even when two messages race. A new code replaces the person's older ones.
/// </summary>
public sealed class LinkCodes(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock) : ILinkCodes
{
    private const int CodeBytes = 16;

    public async Task<(string Code, DateTimeOffset ExpiresAt)> IssueAsync(Guid userId, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        var code = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(CodeBytes));
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.TelegramLinkCodes.Where(c => c.UserId == userId && c.UsedAt == null).ExecuteDeleteAsync(cancellationToken);
        db.TelegramLinkCodes.Add(new TelegramLinkCodeRow
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            CodeHash = Hash(code),
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        });
        await db.SaveChangesAsync(cancellationToken);
        return (code, now + lifetime);
    }

    /// <summary>Uses the code up and returns whose it was; null when it is unknown, used or expired.</summary>
    public async Task<Guid?> ConsumeAsync(string code, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(code) || code.Length > 64)
        {
            return null;
        }

        var hash = Hash(code);
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.TelegramLinkCodes.AsNoTracking().SingleOrDefaultAsync(c => c.CodeHash == hash, cancellationToken);
        if (row is null || row.UsedAt is not null || row.ExpiresAt <= now)
        {
            return null;
        }

        var used = await db.TelegramLinkCodes
            .Where(c => c.Id == row.Id && c.UsedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.UsedAt, now), cancellationToken);
        return used == 1 ? row.UserId : null;
    }

    internal static string Hash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code.Trim())));
}
