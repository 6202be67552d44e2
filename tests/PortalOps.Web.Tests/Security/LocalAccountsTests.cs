using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;
using PortalOps.Web.Tests.Fakes;

namespace PortalOps.Web.Tests.Security;

public sealed class LocalAccountsTests
{
    private const string Secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    private const string Password = "a long enough password";

    private readonly FakeTimeProvider _clock = new(PortalTestContext.Start);
    private readonly FakeUserStore _users = new();
    private readonly RacingUserStore _racing;
    private readonly FakeAuditLog _audit;
    private readonly LocalAccounts _accounts;

    public LocalAccountsTests()
    {
        _audit = new FakeAuditLog(_clock);
        _racing = new RacingUserStore(_users);
        _accounts = new LocalAccounts(_racing, new FakeSetupTokens(), _audit, PortalTestContext.Hasher, Options.Create(new AuthOptions()), new LoginThrottle(), _clock);
    }

    [Fact]
    public async Task LoginAsync_SameTotpCodeTwice_SecondRefused()
    {
        var rita = Add("rita", Role.Operator, totp: true);
        var code = Totp.Code(Secret, _clock.GetUtcNow());

        var first = await _accounts.LoginAsync("rita", Password, code);
        _clock.Advance(TimeSpan.FromSeconds(10));
        var replay = await _accounts.LoginAsync("rita", Password, code);

        Assert.True(first.Succeeded);
        Assert.False(replay.Succeeded);
        Assert.True(replay.NeedsTotp);
        Assert.Contains("already used", replay.Error, StringComparison.Ordinal);
        var denied = _audit.Events("auth.login").Last();
        Assert.Equal(AuditOutcome.Denied, denied.Outcome);
        Assert.Equal(rita.Id, denied.ActorId);
    }

    [Fact]
    public async Task LoginAsync_CodeOfAnEarlierStepAfterALaterOne_Refused()
    {
        Add("rita", Role.Operator, totp: true);
        var now = _clock.GetUtcNow();

        var later = await _accounts.LoginAsync("rita", Password, Totp.Code(Secret, now.AddSeconds(30)));
        var earlier = await _accounts.LoginAsync("rita", Password, Totp.Code(Secret, now));

        Assert.True(later.Succeeded);
        Assert.False(earlier.Succeeded);
    }

    [Fact]
    public async Task LoginAsync_NextCodeAfterTheStepPasses_Accepted()
    {
        Add("rita", Role.Operator, totp: true);
        Assert.True((await _accounts.LoginAsync("rita", Password, Totp.Code(Secret, _clock.GetUtcNow()))).Succeeded);

        _clock.Advance(TimeSpan.FromSeconds(30));

        Assert.True((await _accounts.LoginAsync("rita", Password, Totp.Code(Secret, _clock.GetUtcNow()))).Succeeded);
    }

    [Fact]
    public async Task LoginAsync_AdminDisablesBetweenReadAndWrite_UserStaysDisabled()
    {
        var rita = Add("rita", Role.Operator);
        _racing.AfterRead = async () =>
        {
            var copy = _users.Get(rita.Id)!;
            copy.Disable();
            await _users.UpdateAsync(copy);
        };

        var login = await _accounts.LoginAsync("rita", Password, null);

        var stored = _users.Get(rita.Id)!;
        Assert.True(stored.IsDisabled);
        Assert.Equal(_clock.GetUtcNow(), stored.LastLoginAt);

        // The session the racing login got carries the old security stamp, so it is refused at once.
        Assert.True(login.Succeeded);
        Assert.NotEqual(stored.SecurityStamp, PortalClaims.StampOf(login.Principal!));
    }

    [Fact]
    public async Task LoginAsync_AdminDemotesBetweenReadAndWrite_DemotionKept()
    {
        var rita = Add("rita", Role.Approver);
        _racing.AfterRead = async () =>
        {
            var copy = _users.Get(rita.Id)!;
            copy.ChangeRole(Role.Viewer, [new Scope("123456789012", "eu-west-1")]);
            await _users.UpdateAsync(copy);
        };

        await _accounts.LoginAsync("rita", Password, null);

        var stored = _users.Get(rita.Id)!;
        Assert.Equal(Role.Viewer, stored.Role);
        Assert.Equal([new Scope("123456789012", "eu-west-1")], stored.Scopes);
    }

    private PortalUser Add(string name, Role role, bool totp = false)
    {
        var user = new PortalUser(Guid.NewGuid(), name, name, role, [Scope.Everything], _clock.GetUtcNow());
        user.SetPasswordHash(PortalTestContext.Hasher.HashPassword(user, Password));
        if (totp)
        {
            user.EnableTotp(Secret);
        }

        _users.Put(user);
        return user;
    }
}
