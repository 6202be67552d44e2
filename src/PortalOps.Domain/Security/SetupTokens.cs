namespace PortalOps.Domain.Security;

/// <summary>
/// One-time tokens, such as the setup link that creates the first administrator.
/// Only a hash of each token is kept; a token works once, for one purpose, until it expires.
/// </summary>
public interface ISetupTokenStore
{
    /// <summary>Creates a token and returns it; this is the only time its text is available.</summary>
    Task<string> IssueAsync(string purpose, TimeSpan lifetime, CancellationToken cancellationToken = default);

    /// <summary>True when the token is known for this purpose, unused and unexpired (it stays usable).</summary>
    Task<bool> IsValidAsync(string purpose, string token, CancellationToken cancellationToken = default);

    /// <summary>Uses the token up. True exactly once per token; false when it is unknown, used, expired or for another purpose.</summary>
    Task<bool> ConsumeAsync(string purpose, string token, CancellationToken cancellationToken = default);
}

public static class SetupTokenPurposes
{
    /// <summary>The console link that creates the first administrator.</summary>
    public const string FirstAdmin = "first-admin";
}
