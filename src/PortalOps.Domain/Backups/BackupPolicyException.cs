using PortalOps.Domain.Common;

namespace PortalOps.Domain.Backups;

/// <summary>A backup policy draft was refused; <see cref="Problems"/> maps each wrong field to its message.</summary>
public sealed class BackupPolicyException(IReadOnlyDictionary<string, string> problems)
    : DomainException(string.Join(" ", problems.Values))
{
    public IReadOnlyDictionary<string, string> Problems { get; } = problems;
}
