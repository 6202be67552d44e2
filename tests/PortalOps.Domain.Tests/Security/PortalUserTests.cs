using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Tests.Security;

public sealed class PortalUserTests
{
    private static PortalUser Olga() => new(Guid.NewGuid(), "olga", "Olga", Role.Operator, [Scope.Everything], DateTimeOffset.UnixEpoch);

    [Fact]
    public void Rename_WithinTheLimit_ChangesTheNameAndEmptyFallsBackToTheUserName()
    {
        var user = Olga();

        user.Rename("  Olga Petrova ");
        Assert.Equal("Olga Petrova", user.DisplayName);

        user.Rename(" ");
        Assert.Equal("olga", user.DisplayName);
    }

    [Fact]
    public void Rename_LongerThanTheLimitOrTwoLines_IsRefusedAndTheNameStays()
    {
        var user = Olga();

        var tooLong = Assert.Throws<DomainException>(() => user.Rename(new string('x', PortalUser.MaxDisplayNameLength + 1)));
        Assert.Equal("A display name has at most 64 characters (65 given).", tooLong.Message);
        Assert.Throws<DomainException>(() => user.Rename("Olga\nAdmin"));
        Assert.Equal("Olga", user.DisplayName);
        Assert.Null(PortalUser.DisplayNameProblem(new string('x', PortalUser.MaxDisplayNameLength)));
    }

    [Fact]
    public void Constructor_DisplayNameOverTheLimit_IsRefused() =>
        Assert.Throws<DomainException>(() => new PortalUser(Guid.NewGuid(), "olga", new string('x', 65), Role.Viewer, [], DateTimeOffset.UnixEpoch));

    [Fact]
    public void FitDisplayName_LongClaimFromAnIdentityProvider_IsCutToTheLimit() =>
        Assert.Equal(PortalUser.MaxDisplayNameLength, PortalUser.FitDisplayName(new string('x', 200)).Length);
}
