namespace PortalOps.Domain.Compliance;

/// <summary>Applies one remediation to one resource. Safe to call twice (a rule already revoked, a tag already set: nothing to do).</summary>
public interface IRemediator
{
    /// <summary>Returns the provider's request id(s) for the audit log.</summary>
    Task<string?> ApplyAsync(Remediation remediation, ComplianceResource resource, IReadOnlyList<string> requiredTags, CancellationToken cancellationToken = default);
}
