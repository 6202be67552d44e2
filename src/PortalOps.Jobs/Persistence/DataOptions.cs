using Microsoft.Extensions.Options;
using PortalOps.Jobs.Secrets;

namespace PortalOps.Jobs.Persistence;

/// <summary>Where the embedded databases live (section "Data").</summary>
public sealed class DataOptions
{
    public const string Section = "Data";

    /// <summary>The data folder, absolute or relative to the content root. Holds portalops.db and hangfire.db.</summary>
    public string Path { get; set; } = "data";

    /// <summary>
    /// The file with the key that encrypts secrets at rest (TOTP secrets, Data Protection keys), absolute or relative to the
    /// content root. Empty: <c>portalops.key</c> in the data folder, generated at first start. A configured file must exist.
    /// </summary>
    public string? KeyFile { get; set; }

    /// <summary>The key file's absolute path, and whether PortalOps may generate it (only the default one).</summary>
    public static (string Path, bool Generate) ResolveKeyFile(string? keyFile, string dataDirectory, string contentRootPath) =>
        string.IsNullOrWhiteSpace(keyFile)
            ? (System.IO.Path.Combine(dataDirectory, SecretKeyFile.DefaultFileName), true)
            : (System.IO.Path.GetFullPath(System.IO.Path.Combine(contentRootPath, keyFile)), false);
}

internal sealed class DataOptionsValidator(string contentRootPath) : IValidateOptions<DataOptions>
{
    private const string KeyFileKey = $"{DataOptions.Section}:{nameof(DataOptions.KeyFile)}";

    public ValidateOptionsResult Validate(string? name, DataOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            return ValidateOptionsResult.Fail($"{DataOptions.Section}:{nameof(DataOptions.Path)} must name a folder (default: data).");
        }

        if (options.Path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0)
        {
            return ValidateOptionsResult.Fail($"{DataOptions.Section}:{nameof(DataOptions.Path)} is not a valid path.");
        }

        return string.IsNullOrWhiteSpace(options.KeyFile) ? ValidateOptionsResult.Success : ValidateKeyFile(options.KeyFile);
    }

    private ValidateOptionsResult ValidateKeyFile(string keyFile)
    {
        if (keyFile.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0)
        {
            return ValidateOptionsResult.Fail($"{KeyFileKey} is not a valid path.");
        }

        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(contentRootPath, keyFile));
        if (!File.Exists(path))
        {
            return ValidateOptionsResult.Fail(
                $"{KeyFileKey} '{path}' does not exist; create it with 32 random bytes in Base64 (e.g. `openssl rand -base64 32`), readable by PortalOps only.");
        }

        try
        {
            return SecretKeyFile.Parse(File.ReadAllText(path)) is null
                ? ValidateOptionsResult.Fail($"{KeyFileKey} '{path}' does not hold a 256-bit key (32 bytes in Base64, e.g. from `openssl rand -base64 32`).")
                : ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ValidateOptionsResult.Fail($"{KeyFileKey} '{path}' cannot be read: {ex.Message}");
        }
    }
}
