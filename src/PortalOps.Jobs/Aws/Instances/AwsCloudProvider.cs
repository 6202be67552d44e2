using Microsoft.Extensions.Options;
using PortalOps.Domain.Accounts;

namespace PortalOps.Jobs.Aws.Instances;

/// <summary>Real AWS: the accounts and regions from the <c>Aws</c> section.</summary>
public sealed class AwsCloudProvider(IOptions<AwsOptions> options) : ICloudProvider
{
    public string Name => "AWS";

    public bool IsSandbox => false;

    /// <summary>The endpoint in use when it is not AWS's own (an emulator), for the UI to show.</summary>
    public string? ServiceUrl => options.Value.EffectiveServiceUrl;

    public IReadOnlyList<CloudAccount> Accounts { get; } = options.Value.Accounts
        .Select(a => new CloudAccount(a.Id, string.IsNullOrWhiteSpace(a.DisplayName) ? a.Id : a.DisplayName, a.Regions.ToList()))
        .ToList();
}
