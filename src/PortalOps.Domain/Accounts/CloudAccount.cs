namespace PortalOps.Domain.Accounts;

/// <summary>An AWS account (or the sandbox) that PortalOps manages, with the regions it looks at.</summary>
public sealed record CloudAccount(string Id, string DisplayName, IReadOnlyList<string> Regions, bool IsSandbox = false);

/// <summary>Which cloud is behind the ports: the embedded sandbox or real AWS.</summary>
public interface ICloudProvider
{
    /// <summary>"Sandbox" or "AWS".</summary>
    string Name { get; }

    bool IsSandbox { get; }

    IReadOnlyList<CloudAccount> Accounts { get; }
}
