using PortalOps.Domain.Common;

namespace PortalOps.Domain.Patching;

/// <summary>A baseline draft was refused; <see cref="Problems"/> maps each wrong field to its message.</summary>
public sealed class PatchBaselineException(IReadOnlyDictionary<string, string> problems)
    : DomainException(string.Join(" ", problems.Values))
{
    public IReadOnlyDictionary<string, string> Problems { get; } = problems;
}
