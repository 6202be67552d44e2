namespace PortalOps.Web.Security;

/// <summary>One-time tokens for the first-start setup link. Only a hash of a token is ever stored.</summary>
public interface ISetupTokens
{
    /// <summary>Replaces any earlier token with a new one and returns it (the only time it exists in clear).</summary>
    Task<string> IssueAsync(TimeSpan lifetime, CancellationToken cancellationToken = default);

    /// <summary>Uses the token up if it is known, unused and unexpired; true only for the one caller that used it.</summary>
    Task<bool> TryConsumeAsync(string token, CancellationToken cancellationToken = default);
}
