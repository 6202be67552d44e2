using PortalOps.Domain.Common;

namespace PortalOps.Domain.Security;

/// <summary>The change would leave PortalOps without an enabled Admin.</summary>
public sealed class LastAdminException(string userName)
    : DomainException($"{userName} is the last enabled Admin and must stay an enabled Admin; make someone else Admin first.");
