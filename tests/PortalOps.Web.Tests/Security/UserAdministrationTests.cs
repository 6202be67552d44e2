using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;
using PortalOps.Web.Tests.Fakes;

namespace PortalOps.Web.Tests.Security;

public sealed class UserAdministrationTests
{
    private readonly FakeTimeProvider _clock = new(PortalTestContext.Start);
    private readonly FakeUserStore _users = new();
    private readonly FakeAuditLog _audit;
    private readonly UserAdministration _administration;
    private readonly PortalUser _alice;

    public UserAdministrationTests()
    {
        _audit = new FakeAuditLog(_clock);
        var accounts = new LocalAccounts(_users, new FakeSetupTokens(), _audit, PortalTestContext.Hasher, Options.Create(new AuthOptions()), new LoginThrottle(), _clock);
        _administration = new UserAdministration(_users, _audit, accounts);
        _alice = Add("alice", Role.Admin);
    }

    [Fact]
    public void ParseScopes_MixedLines_ReturnsScopesAndOneMessagePerBadLineWithItsNumber()
    {
        var parsed = UserAdministration.ParseScopes("*/*\r\n\n123456789012/eu-west-1/env=prod\nfoo\n123456789012/eu_west\n*/*");

        Assert.Equal(["*/*", "123456789012/eu-west-1/env=prod"], parsed.Scopes.Select(s => s.ToString()));
        Assert.Equal(2, parsed.Errors.Count);
        Assert.StartsWith("Line 4: 'foo' is not a scope", parsed.Errors[0], StringComparison.Ordinal);
        Assert.Equal("Line 5: 'eu_west' is not a region.", parsed.Errors[1]);
        Assert.False(parsed.IsValid);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \n \r\n")]
    public void ParseScopes_NoScopes_RefusedWithNeedsAScope(string? text)
    {
        var parsed = UserAdministration.ParseScopes(text);

        Assert.Equal([UserAdministration.NeedsAScope], parsed.Errors);
    }

    [Fact]
    public async Task UpdateAsync_AdminDemotesThemselvesWhileAnotherAdminExists_Refused()
    {
        Add("anna", Role.Admin);

        var change = await _administration.UpdateAsync(Admin(_alice), _alice.Id, Role.Viewer, "*/*");

        Assert.False(change.Succeeded);
        Assert.Equal("You cannot demote yourself; ask another Admin.", change.Message);
        Assert.Equal(Role.Admin, _users.Get(_alice.Id)!.Role);
        Assert.Equal(AuditOutcome.Denied, Assert.Single(_audit.Events("users.update")).Outcome);
    }

    [Fact]
    public async Task UpdateAsync_DemotingTheLastEnabledAdmin_RefusedEvenByAnotherAdminsStaleSession()
    {
        // anna was demoted a moment ago, but a request she started while still Admin arrives now.
        var anna = Add("anna", Role.Admin);
        var staleAnna = Admin(anna);
        await _administration.UpdateAsync(Admin(_alice), anna.Id, Role.Operator, "*/*");

        var change = await _administration.UpdateAsync(staleAnna, _alice.Id, Role.Operator, "*/*");

        Assert.Equal("alice is the last enabled Admin and cannot be demoted; make someone else Admin first.", change.Message);
        Assert.Equal(Role.Admin, _users.Get(_alice.Id)!.Role);
    }

    [Fact]
    public async Task UpdateAsync_DemotingAnAdminWhenAnotherRemains_SavesAndAuditsOldToNew()
    {
        var anna = Add("anna", Role.Admin);

        var change = await _administration.UpdateAsync(Admin(_alice), anna.Id, Role.Approver, "000000000000/eu-west-1\n000000000000/us-east-1");

        Assert.True(change.Succeeded);
        var stored = _users.Get(anna.Id)!;
        Assert.Equal(Role.Approver, stored.Role);
        Assert.Equal(2, stored.SecurityStamp - anna.SecurityStamp + 1);
        var audit = Assert.Single(_audit.Events("users.update"));
        Assert.Equal("Admin on */* → Approver on 000000000000/eu-west-1, 000000000000/us-east-1", audit.Detail);
        Assert.Equal(("alice", _alice.Id, "user:anna"), (audit.ActorName, audit.ActorId, audit.Target));
    }

    [Fact]
    public async Task UpdateAsync_SameRoleAndScopes_NothingSavedOrAudited()
    {
        var bob = Add("bob", Role.Operator);
        var updates = _users.Updates;

        var change = await _administration.UpdateAsync(Admin(_alice), bob.Id, Role.Operator, " */* \n");

        Assert.True(change.Succeeded);
        Assert.Equal(updates, _users.Updates);
        Assert.Empty(_audit.Events("users.update"));
    }

    [Fact]
    public async Task UpdateAsync_CallerIsNotAdmin_RefusedAndAudited()
    {
        var olga = Add("olga", Role.Operator);

        var change = await _administration.UpdateAsync(olga.AsActor(Channel.Web), olga.Id, Role.Admin, "*/*");

        Assert.False(change.Succeeded);
        Assert.Equal(Role.Operator, _users.Get(olga.Id)!.Role);
        Assert.Equal(AuditOutcome.Denied, Assert.Single(_audit.Events("users.update")).Outcome);
    }

    [Fact]
    public async Task DisableAsync_Themselves_Refused()
    {
        Add("anna", Role.Admin);

        var change = await _administration.DisableAsync(Admin(_alice), _alice.Id);

        Assert.Equal("You cannot disable your own account.", change.Message);
        Assert.False(_users.Get(_alice.Id)!.IsDisabled);
    }

    [Fact]
    public async Task DisableAsync_LastEnabledAdmin_RefusedEvenWhenOtherAdminsAreDisabled()
    {
        var anna = Add("anna", Role.Admin);
        var staleAnna = Admin(anna);
        await _administration.DisableAsync(Admin(_alice), anna.Id);

        var change = await _administration.DisableAsync(staleAnna, _alice.Id);

        Assert.Equal("alice is the last enabled Admin and cannot be disabled; make someone else Admin first.", change.Message);
        Assert.False(_users.Get(_alice.Id)!.IsDisabled);
    }

    [Fact]
    public async Task DisableThenEnable_Operator_BothSavedAndAudited()
    {
        var bob = Add("bob", Role.Operator);

        var disabled = await _administration.DisableAsync(Admin(_alice), bob.Id);
        var disabledStamp = _users.Get(bob.Id)!.SecurityStamp;
        var enabled = await _administration.EnableAsync(Admin(_alice), bob.Id);

        Assert.True(disabled.Succeeded && enabled.Succeeded);
        Assert.False(_users.Get(bob.Id)!.IsDisabled);
        Assert.True(disabledStamp > bob.SecurityStamp);
        Assert.Equal("enabled → disabled", Assert.Single(_audit.Events("users.disable")).Detail);
        Assert.Equal("disabled → enabled", Assert.Single(_audit.Events("users.enable")).Detail);
    }

    [Fact]
    public async Task CreateAsync_DuplicateUserName_RefusedAtTheUserNameField()
    {
        Add("bob", Role.Operator);

        var change = await _administration.CreateAsync(Admin(_alice), "BOB", null, Role.Viewer, "*/*", "a long enough secret", "a long enough secret");

        Assert.False(change.Succeeded);
        Assert.Equal("A user called 'BOB' already exists.", change.UserNameError);
        Assert.Equal(2, await _users.CountAsync());
    }

    [Fact]
    public async Task CreateAsync_PasswordsDiffer_RefusedAtThePasswordField()
    {
        var change = await _administration.CreateAsync(Admin(_alice), "carol", null, Role.Viewer, "*/*", "a long enough secret", "a long enough secreT");

        Assert.Equal("The two passwords differ.", change.PasswordError);
        Assert.Equal(1, await _users.CountAsync());
    }

    [Fact]
    public async Task CreateAsync_Valid_CreatesLocalUserAndAuditsWithTheAdminAsActor()
    {
        var change = await _administration.CreateAsync(Admin(_alice), " carol ", "Carol", Role.Approver, "000000000000/*", "a long enough secret", "a long enough secret");

        Assert.True(change.Succeeded);
        var carol = _users.Get("carol");
        Assert.Equal((Role.Approver, "000000000000/*"), (carol.Role, carol.Scopes.Single().ToString()));
        Assert.NotNull(carol.PasswordHash);
        var audit = Assert.Single(_audit.Events("users.create"));
        Assert.Equal(("alice", _alice.Id), (audit.ActorName, audit.ActorId));
    }

    [Fact]
    public async Task DisableAsync_OtherAdminDisablesUsMeanwhile_RefusedAuditedAndOneAdminRemains()
    {
        // alice and anna disable each other at the same moment: both requests pass the friendly check, one save wins.
        var anna = Add("anna", Role.Admin);
        var racing = new RacingUserStore(_users);
        var accounts = new LocalAccounts(racing, new FakeSetupTokens(), _audit, PortalTestContext.Hasher, Options.Create(new AuthOptions()), new LoginThrottle(), _clock);
        var administration = new UserAdministration(racing, _audit, accounts);
        racing.AfterRead = async () =>
        {
            // after alice's request read anna, anna's request disables alice.
            racing.AfterRead = async () => Assert.True((await _administration.DisableAsync(Admin(anna), _alice.Id)).Succeeded);
            await Task.CompletedTask;
        };

        var change = await administration.DisableAsync(Admin(_alice), anna.Id);

        Assert.False(change.Succeeded);
        Assert.Contains("last enabled Admin", change.Message, StringComparison.Ordinal);
        Assert.False(_users.Get(anna.Id)!.IsDisabled);
        Assert.True(_users.Get(_alice.Id)!.IsDisabled);
        Assert.Equal(AuditOutcome.Denied, _audit.Events("users.disable").Last().Outcome);
    }

    [Fact]
    public async Task UpdateAsync_UserChangedSinceRead_RefusedWithoutOverwriting()
    {
        var otto = Add("otto", Role.Operator);
        var racing = new RacingUserStore(_users);
        var accounts = new LocalAccounts(racing, new FakeSetupTokens(), _audit, PortalTestContext.Hasher, Options.Create(new AuthOptions()), new LoginThrottle(), _clock);
        var administration = new UserAdministration(racing, _audit, accounts);
        racing.AfterRead = async () =>
        {
            var copy = _users.Get(otto.Id)!;
            copy.Disable();
            await _users.UpdateAsync(copy);
        };

        var change = await administration.UpdateAsync(Admin(_alice), otto.Id, Role.Approver, "*/*");

        Assert.False(change.Succeeded);
        Assert.Contains("changed by someone else", change.Message, StringComparison.Ordinal);
        Assert.Equal(Role.Operator, _users.Get(otto.Id)!.Role);
        Assert.True(_users.Get(otto.Id)!.IsDisabled);
    }

    private static Actor Admin(PortalUser user) => user.AsActor(Channel.Web);

    private PortalUser Add(string name, Role role)
    {
        var user = new PortalUser(Guid.NewGuid(), name, name, role, [Scope.Everything], _clock.GetUtcNow());
        _users.Put(user);
        return user;
    }
}
