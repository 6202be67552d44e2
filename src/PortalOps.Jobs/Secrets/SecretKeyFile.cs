using System.Security.Cryptography;

namespace PortalOps.Jobs.Secrets;

/// <summary>
/// The 256-bit key that encrypts secrets at rest (TOTP secrets, Data Protection keys), kept in a file outside the database:
/// one line of Base64. The embedded default is generated in the data folder, readable and writable by the owner only.
/// </summary>
public static class SecretKeyFile
{
    public const string DefaultFileName = "portalops.key";
    public const int KeyBytes = 32;

    /// <summary>Reads the key; when <paramref name="generate"/> is set and the file is missing, creates it first (0600 on Unix).</summary>
    public static byte[] Load(string path, bool generate)
    {
        if (generate && !File.Exists(path))
        {
            TryCreate(path);
        }

        return Parse(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} does not hold a {KeyBytes * 8}-bit key ({KeyBytes} bytes, Base64).");
    }

    /// <summary>The key in <paramref name="text"/>, or null when it is not exactly <see cref="KeyBytes"/> bytes of Base64.</summary>
    public static byte[]? Parse(string text)
    {
        var buffer = new byte[KeyBytes + 3];
        return Convert.TryFromBase64String(text.Trim(), buffer, out var written) && written == KeyBytes ? buffer[..KeyBytes] : null;
    }

    private static void TryCreate(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(path, options);
            using var writer = new StreamWriter(stream);
            writer.WriteLine(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process on the same data folder created it first; use theirs.
        }
    }
}
