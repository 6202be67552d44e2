using Microsoft.Extensions.Options;

namespace PortalOps.Jobs.Persistence;

/// <summary>Where the embedded databases live (section "Data").</summary>
public sealed class DataOptions
{
    public const string Section = "Data";

    /// <summary>The data folder, absolute or relative to the content root. Holds portalops.db and hangfire.db.</summary>
    public string Path { get; set; } = "data";
}

internal sealed class DataOptionsValidator : IValidateOptions<DataOptions>
{
    public ValidateOptionsResult Validate(string? name, DataOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            return ValidateOptionsResult.Fail($"{DataOptions.Section}:{nameof(DataOptions.Path)} must name a folder (default: data).");
        }

        return options.Path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0
            ? ValidateOptionsResult.Fail($"{DataOptions.Section}:{nameof(DataOptions.Path)} is not a valid path.")
            : ValidateOptionsResult.Success;
    }
}
