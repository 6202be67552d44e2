using Microsoft.Extensions.Options;
using PortalOps.Domain.Provisioning;

namespace PortalOps.Jobs.Provisioning;

/// <summary>The "Provisioning" section: what governance asks of every launch, until the compliance module owns it.</summary>
public sealed class ProvisioningOptions
{
    public const string Section = "Provisioning";

    /// <summary>Tag keys every new instance must carry with a value (e.g. <c>["team", "env", "cost-center"]</c>).</summary>
    public List<string> RequiredTags { get; set; } = [];
}

/// <summary>Checks <c>Provisioning:RequiredTags</c> at start; each message names the key to fix.</summary>
public sealed class ProvisioningOptionsValidator : IValidateOptions<ProvisioningOptions>
{
    public ValidateOptionsResult Validate(string? name, ProvisioningOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.RequiredTags.Count; i++)
        {
            var key = options.RequiredTags[i];
            if (LaunchValidator.CheckTagKey(key) is { } problem)
            {
                errors.Add($"{ProvisioningOptions.Section}:RequiredTags:{i} is not a tag key ('{key}'): {problem}");
            }
            else if (options.RequiredTags.Take(i).Contains(key, StringComparer.Ordinal))
            {
                errors.Add($"{ProvisioningOptions.Section}:RequiredTags:{i} repeats '{key}'.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Required tags from configuration.</summary>
public sealed class ConfiguredTagGovernance(IOptions<ProvisioningOptions> options) : ITagGovernance
{
    public IReadOnlyList<string> RequiredTagKeys => options.Value.RequiredTags;
}
