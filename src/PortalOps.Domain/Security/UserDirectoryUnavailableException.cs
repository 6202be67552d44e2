namespace PortalOps.Domain.Security;

/// <summary>
/// The store that keeps chat links cannot answer now (its table is missing, it does not answer, it refuses access). Not the
/// person's fault and worth another try: the bot tells the person once and answers the update when the store is back; pages
/// show the message where the link would be. The message names the store, never a secret.
/// </summary>
public sealed class UserDirectoryUnavailableException : Exception
{
    public UserDirectoryUnavailableException()
    {
    }

    public UserDirectoryUnavailableException(string message)
        : base(message)
    {
    }

    public UserDirectoryUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
