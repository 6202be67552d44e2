using System.Security.Cryptography;
using System.Text;

namespace PortalOps.Domain.Audit;

/// <summary>
/// The secret that keys the audit chain (HMAC-SHA256). It lives outside the database, so someone who can rewrite the audit table
/// cannot recompute the chain after a change. <see cref="Id"/> names the key without revealing it; the secret is never printed.
/// </summary>
public sealed class AuditKey
{
    public const int MinimumLength = 32;

    private readonly byte[] _secret;

    public AuditKey(ReadOnlySpan<byte> secret)
    {
        if (secret.Length < MinimumLength)
        {
            throw new ArgumentException($"An audit key needs at least {MinimumLength} bytes.", nameof(secret));
        }

        _secret = secret.ToArray();
        Id = Convert.ToHexStringLower(SHA256.HashData([.. "portalops-audit-key-id\n"u8, .. _secret]))[..16];
    }

    /// <summary>A short public name of the key (from a one-way hash of it), stored with each record it signed.</summary>
    public string Id { get; }

    public string Mac(string canonical) => Convert.ToHexStringLower(HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(canonical)));

    public override string ToString() => $"audit key {Id}";
}

/// <summary>
/// A signed statement of the chain's end (its last sequence number and hash). The log keeps the newest one beside the records and
/// the verification job exports one to a file outside the database, so a cut tail — records removed from the end, which leaves a
/// chain that links perfectly — is still noticed.
/// </summary>
public sealed record AuditAnchor(long Sequence, string Hash, string KeyId, string Mac)
{
    public static AuditAnchor Sign(AuditKey key, long sequence, string hash) => new(sequence, hash, key.Id, key.Mac(Canonical(sequence, hash)));

    public bool IsSignedBy(AuditKey key) =>
        string.Equals(KeyId, key.Id, StringComparison.Ordinal)
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Mac), Encoding.ASCII.GetBytes(key.Mac(Canonical(Sequence, Hash))));

    private static string Canonical(long sequence, string hash) => $"portalops-audit-anchor\n{sequence}\n{hash}";
}
