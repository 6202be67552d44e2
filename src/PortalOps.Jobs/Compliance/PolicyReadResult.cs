using PortalOps.Domain.Compliance;

namespace PortalOps.Jobs.Compliance;

/// <summary>A policy read from YAML, or the errors that kept it from being read (never both).</summary>
public sealed record PolicyReadResult(Policy? Policy, IReadOnlyList<PolicyError> Errors)
{
    public bool Succeeded => Policy is not null && Errors.Count == 0;
}
