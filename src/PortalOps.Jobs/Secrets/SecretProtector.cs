using System.Security.Cryptography;
using System.Text;

namespace PortalOps.Jobs.Secrets;

/// <summary>
/// Encrypts secrets before they reach the database, with AES-256-GCM under the key file's key. Each value is bound to a
/// purpose (e.g. the user it belongs to) as associated data, so a ciphertext copied to another row does not decrypt.
/// Format: <c>v1:</c> + Base64(nonce ‖ ciphertext ‖ tag).
/// </summary>
public sealed class SecretProtector(byte[] key)
{
    private const string Prefix = "v1:";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly byte[] _key = key.Length == SecretKeyFile.KeyBytes ? key : throw new ArgumentException($"The key must be {SecretKeyFile.KeyBytes} bytes.", nameof(key));

    /// <summary>True for text this protector wrote (plain values from before encryption was turned on are not).</summary>
    public static bool IsProtected(string? value) => value?.StartsWith(Prefix, StringComparison.Ordinal) == true;

    public string Protect(string plaintext, string purpose) => Prefix + Convert.ToBase64String(Protect(Encoding.UTF8.GetBytes(plaintext), purpose));

    /// <summary>Decrypts <paramref name="value"/>; a value that is not protected is returned as it is (written before encryption).</summary>
    public string Unprotect(string value, string purpose) =>
        IsProtected(value) ? Encoding.UTF8.GetString(Unprotect(Convert.FromBase64String(value[Prefix.Length..]), purpose)) : value;

    public byte[] Protect(ReadOnlySpan<byte> plaintext, string purpose)
    {
        var output = new byte[NonceBytes + plaintext.Length + TagBytes];
        var nonce = output.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceBytes, plaintext.Length), output.AsSpan(NonceBytes + plaintext.Length), Encoding.UTF8.GetBytes(purpose));
        return output;
    }

    /// <summary>Throws <see cref="CryptographicException"/> when the data was changed, or written under another key or purpose.</summary>
    public byte[] Unprotect(ReadOnlySpan<byte> data, string purpose)
    {
        if (data.Length < NonceBytes + TagBytes)
        {
            throw new CryptographicException("The protected value is too short.");
        }

        var length = data.Length - NonceBytes - TagBytes;
        var plaintext = new byte[length];
        using var aes = new AesGcm(_key, TagBytes);
        aes.Decrypt(data[..NonceBytes], data.Slice(NonceBytes, length), data[(NonceBytes + length)..], plaintext, Encoding.UTF8.GetBytes(purpose));
        return plaintext;
    }
}
