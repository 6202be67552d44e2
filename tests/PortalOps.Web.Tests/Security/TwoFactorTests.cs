using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;
using PortalOps.Web.Tests.Fakes;

namespace PortalOps.Web.Tests.Security;

public sealed class TwoFactorTests
{
    private const string Secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    private readonly FakeTimeProvider _clock = new(PortalTestContext.Start);
    private readonly FakeUserStore _users = new();
    private readonly FakeAuditLog _audit;
    private readonly TwoFactor _twoFactor;
    private readonly PortalUser _olga;

    public TwoFactorTests()
    {
        _audit = new FakeAuditLog(_clock);
        _twoFactor = new TwoFactor(_users, _audit, _clock);
        _olga = new PortalUser(Guid.NewGuid(), "olga", "Olga", Role.Operator, [Scope.Everything], _clock.GetUtcNow());
        _users.Put(_olga);
    }

    [Fact]
    public async Task EnableAsync_CodeFromAnotherSecret_Refused()
    {
        var other = Totp.NewSecret();

        var problem = await _twoFactor.EnableAsync(_olga.Id, Secret, Totp.Code(other, _clock.GetUtcNow()) == Totp.Code(Secret, _clock.GetUtcNow()) ? "000000" : Totp.Code(other, _clock.GetUtcNow()));

        Assert.Equal(TwoFactor.WrongCode, problem);
        Assert.Null(_users.Get(_olga.Id)!.TotpSecret);
    }

    [Fact]
    public async Task EnableAsync_RightCode_SavesAndEndsOtherSessions()
    {
        var problem = await _twoFactor.EnableAsync(_olga.Id, Secret, Totp.Code(Secret, _clock.GetUtcNow()));

        Assert.Null(problem);
        var stored = _users.Get(_olga.Id)!;
        Assert.Equal(Secret, stored.TotpSecret);
        Assert.True(stored.SecurityStamp > _olga.SecurityStamp);
        Assert.Equal("off → on", Assert.Single(_audit.Events("auth.totp.enable")).Detail);
    }

    [Fact]
    public async Task DisableAsync_WrongCode_LeavesItOn()
    {
        await _twoFactor.EnableAsync(_olga.Id, Secret, Totp.Code(Secret, _clock.GetUtcNow()));
        _clock.Advance(TimeSpan.FromMinutes(5));

        var problem = await _twoFactor.DisableAsync(_olga.Id, Totp.Code(Secret, _clock.GetUtcNow().AddMinutes(-5)));

        Assert.Equal(TwoFactor.WrongCode, problem);
        Assert.Equal(Secret, _users.Get(_olga.Id)!.TotpSecret);
        Assert.Equal(AuditOutcome.Denied, Assert.Single(_audit.Events("auth.totp.disable")).Outcome);
    }
}
