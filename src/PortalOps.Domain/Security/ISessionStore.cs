namespace PortalOps.Domain.Security;

/// <summary>A signed-in session, kept on the server so that logging out ends it for good, whatever copies of its cookie exist.</summary>
public sealed record PortalSession(string Id, Guid UserId, string Method, DateTimeOffset StartedAt);

/// <summary>Server-side session records: the cookie carries only the session's id, and a session is valid while its record is open.</summary>
public interface ISessionStore
{
    /// <summary>Opens a session, and forgets sessions that started before <paramref name="forgetBefore"/> (they are past any lifetime).</summary>
    Task StartAsync(PortalSession session, DateTimeOffset forgetBefore, CancellationToken cancellationToken = default);

    /// <summary>True when the session was started and has not ended.</summary>
    Task<bool> IsActiveAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Ends the session; true when it was open until now.</summary>
    Task<bool> EndAsync(string sessionId, DateTimeOffset at, CancellationToken cancellationToken = default);
}
