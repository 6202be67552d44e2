using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.ScaleOut;

/// <summary>
/// Every node reads the Data Protection keys in the database with its key file (<c>Data:KeyFile</c>). A node whose key file differs
/// from the others' could read none of them: its sessions, antiforgery tokens and setup links would fail on every other node and
/// theirs on it. Such a node refuses to start with one line instead. A database without keys yet (a first start) passes.
/// </summary>
public static class DataProtectionKeyCheck
{
    public const string Refusal =
        "Data:KeyFile: this node's key cannot read the Data Protection keys already in the database; every node of one database needs the same key file (copy it from the first node).";

    /// <summary>Throws <see cref="OptionsValidationException"/> (reported as one line) when keys exist and this node can read none.</summary>
    public static void CheckDataProtectionKeys(this IServiceProvider services)
    {
        var manager = services.GetService<IKeyManager>();
        if (manager is null)
        {
            return;
        }

        IReadOnlyCollection<IKey> keys;
        try
        {
            keys = manager.GetAllKeys();
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw Refused();
        }

        if (keys.Count > 0 && !keys.Any(CanRead))
        {
            throw Refused();
        }
    }

    private static bool CanRead(IKey key)
    {
        try
        {
            _ = key.Descriptor;
            return true;
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or FormatException or InvalidOperationException)
        {
            return false;
        }
    }

    private static OptionsValidationException Refused() =>
        new(DataOptions.Section, typeof(DataOptions), [Refusal]);
}
