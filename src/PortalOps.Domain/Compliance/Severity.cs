namespace PortalOps.Domain.Compliance;

/// <summary>How bad a violation is; High and Critical notify the owners' chats.</summary>
public enum Severity
{
    Low,
    Medium,
    High,
    Critical,
}
