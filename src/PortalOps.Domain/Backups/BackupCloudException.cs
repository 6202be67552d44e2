using PortalOps.Domain.Common;

namespace PortalOps.Domain.Backups;

/// <summary>A cloud call for one resource failed; the message carries the provider's error code and request id, and is recorded on the run.</summary>
public sealed class BackupCloudException(string message, string? errorCode = null, string? requestId = null, Exception? inner = null)
    : DomainException(message)
{
    public string? ErrorCode { get; } = errorCode;

    public string? RequestId { get; } = requestId;

    public Exception? Cause { get; } = inner;
}
