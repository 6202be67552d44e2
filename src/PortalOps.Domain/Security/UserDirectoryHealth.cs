namespace PortalOps.Domain.Security;

/// <summary>What a <see cref="IUserDirectory"/> says about itself: which store it is, whether it answers, and if not, why.</summary>
public sealed record UserDirectoryHealth(string Store, bool Available, string? Problem = null);
