using Microsoft.Extensions.Options;

namespace PortalOps.Jobs.Audit;

/// <summary>The "Audit" section: where the audit chain's key and its exported checkpoint live (outside the database).</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>
    /// The audit key file (base64 of at least 32 random bytes), absolute or relative to the data folder. When missing it is
    /// generated, readable by the portal's user only. Every node of one portal needs the same file.
    /// </summary>
    public string KeyPath { get; set; } = "audit.key";

    /// <summary>Where a verification that found the chain intact exports a checkpoint of its end, signed with the key (absolute or relative to the data folder).</summary>
    public string CheckpointPath { get; set; } = "audit-checkpoint.json";
}

internal sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        foreach (var (key, value) in new[] { (nameof(AuditOptions.KeyPath), options.KeyPath), (nameof(AuditOptions.CheckpointPath), options.CheckpointPath) })
        {
            if (string.IsNullOrWhiteSpace(value) || value.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            {
                return ValidateOptionsResult.Fail($"{AuditOptions.Section}:{key} must name a file (default: {(key == nameof(AuditOptions.KeyPath) ? "audit.key" : "audit-checkpoint.json")} in the data folder).");
            }
        }

        return ValidateOptionsResult.Success;
    }
}
