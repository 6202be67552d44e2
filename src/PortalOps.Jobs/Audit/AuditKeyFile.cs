using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Audit;

namespace PortalOps.Jobs.Audit;

/// <summary>
/// Reads the audit key from its file, or makes one: 32 random bytes, base64, in a file only the portal's user may read
/// (created that way, never widened afterwards). Only the key's public <see cref="AuditKey.Id"/> and the path are ever logged.
/// </summary>
public static partial class AuditKeyFile
{
    public static AuditKey LoadOrCreate(string path, ILogger? logger = null)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            TryCreate(full, logger);
        }

        string text;
        try
        {
            text = File.ReadAllText(full).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{AuditOptions.Section}:{nameof(AuditOptions.KeyPath)}: the audit key file {full} cannot be read ({ex.GetType().Name}).", ex);
        }

        byte[] secret;
        try
        {
            secret = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{AuditOptions.Section}:{nameof(AuditOptions.KeyPath)}: {full} does not hold a base64 key.");
        }

        if (secret.Length < AuditKey.MinimumLength)
        {
            throw new InvalidOperationException($"{AuditOptions.Section}:{nameof(AuditOptions.KeyPath)}: the key in {full} is shorter than {AuditKey.MinimumLength} bytes.");
        }

        var key = new AuditKey(secret);
        CryptographicOperations.ZeroMemory(secret);
        return key;
    }

    private static void TryCreate(string full, ILogger? logger)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var secret = RandomNumberGenerator.GetBytes(32);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(full, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(Convert.ToBase64String(secret));
            }

            if (logger is not null)
            {
                LogCreated(logger, full, new AuditKey(secret).Id);
            }
        }
        catch (IOException) when (File.Exists(full))
        {
            // Another process made it first; use theirs.
            Thread.Sleep(50);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generated a new audit key {KeyId} in {Path} (readable by this user only). Back it up, and give every node of this portal the same file through Audit:KeyPath.")]
    private static partial void LogCreated(ILogger logger, string path, string keyId);
}
