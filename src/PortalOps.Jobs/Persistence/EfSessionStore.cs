using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Persistence;

/// <summary>Server-side session records. Only a SHA-256 of each session id is stored; ending a session is one conditional update.</summary>
public sealed class EfSessionStore(IDbContextFactory<PortalDbContext> contexts) : ISessionStore
{
    public async Task StartAsync(PortalSession session, DateTimeOffset forgetBefore, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(session.Id);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Sessions.Where(s => s.StartedAt < forgetBefore).ExecuteDeleteAsync(cancellationToken);
        db.Sessions.Add(new SessionRow { IdHash = Hash(session.Id), UserId = session.UserId, Method = session.Method, StartedAt = session.StartedAt });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<bool> IsActiveAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(sessionId))
        {
            return false;
        }

        var hash = Hash(sessionId);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Sessions.AnyAsync(s => s.IdHash == hash && s.EndedAt == null, cancellationToken);
    }

    public async Task<bool> EndAsync(string sessionId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(sessionId))
        {
            return false;
        }

        var hash = Hash(sessionId);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Sessions.Where(s => s.IdHash == hash && s.EndedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.EndedAt, at), cancellationToken) == 1;
    }

    private static string Hash(string sessionId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sessionId)));
}
