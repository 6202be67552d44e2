using Amazon.DynamoDBv2;
using Amazon.Runtime;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Telegram.Linking;
using PortalOps.Jobs.Tests.Aws.Support;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>One contract for every <see cref="IUserDirectory"/>: the portal database, and DynamoDB on moto.</summary>
public abstract class UserDirectoryTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    protected IUserDirectory Directory { get; private set; } = null!;

    protected EfUserStore Users { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(Provider);
        Users = new EfUserStore(_database.Contexts, _database.Secrets);
        Directory = await CreateAsync(_database, Users);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected abstract Task<IUserDirectory> CreateAsync(TestDatabase database, IUserStore users);

    [Fact]
    public async Task Link_ThenFind_ReturnsThePersonWithFreshRights()
    {
        var olga = await AddAsync("olga", Role.Operator);
        await Directory.LinkAsync(new ChatLink(olga.Id, 4242, "olga_t", Builders.Epoch));

        olga.ChangeRole(Role.Approver, [Scope.Everything]);
        await Users.UpdateAsync(olga);

        var found = await Directory.FindByChatUserAsync(4242);
        Assert.Equal((olga.Id, Role.Approver), (found!.Id, found.Role));
        Assert.Equal(new ChatLink(olga.Id, 4242, "olga_t", Builders.Epoch), await Directory.FindLinkAsync(olga.Id));
        Assert.Null(await Directory.FindByChatUserAsync(4243));
    }

    [Fact]
    public async Task Link_TelegramAccountOfSomeoneElse_Refused()
    {
        var olga = await AddAsync("olga", Role.Operator);
        var paul = await AddAsync("paul", Role.Operator);
        await Directory.LinkAsync(new ChatLink(olga.Id, 1, null, Builders.Epoch));

        await Assert.ThrowsAsync<DomainException>(() => Directory.LinkAsync(new ChatLink(paul.Id, 1, null, Builders.Epoch)));

        Assert.Equal(olga.Id, (await Directory.FindByChatUserAsync(1))!.Id);
        Assert.Null(await Directory.FindLinkAsync(paul.Id));
    }

    [Fact]
    public async Task Link_Again_ReplacesThePersonsEarlierAccount()
    {
        var olga = await AddAsync("olga", Role.Operator);
        await Directory.LinkAsync(new ChatLink(olga.Id, 1, null, Builders.Epoch));

        await Directory.LinkAsync(new ChatLink(olga.Id, 2, "new", Builders.Epoch.AddDays(1)));

        Assert.Null(await Directory.FindByChatUserAsync(1));
        Assert.Equal(olga.Id, (await Directory.FindByChatUserAsync(2))!.Id);
    }

    [Fact]
    public async Task FindLinks_Several_OnlyThoseLinked()
    {
        var linked = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var user = await AddAsync($"user{i}", Role.Approver);
            await Directory.LinkAsync(new ChatLink(user.Id, 100 + i, null, Builders.Epoch));
            linked.Add(user.Id);
        }

        var links = await Directory.FindLinksAsync([.. linked, Guid.NewGuid()]);

        Assert.Equal([100, 101, 102], links.Select(l => l.ChatUserId).Order());
    }

    [Fact]
    public async Task Unlink_Linked_ForgetsBothWays()
    {
        var olga = await AddAsync("olga", Role.Operator);
        await Directory.LinkAsync(new ChatLink(olga.Id, 7, null, Builders.Epoch));

        Assert.True(await Directory.UnlinkAsync(olga.Id));

        Assert.False(await Directory.UnlinkAsync(olga.Id));
        Assert.Null(await Directory.FindByChatUserAsync(7));
        Assert.Null(await Directory.FindLinkAsync(olga.Id));
    }

    private async Task<PortalUser> AddAsync(string name, Role role)
    {
        var user = new PortalUser(Guid.NewGuid(), name, name, role, [Scope.Everything], Builders.Epoch);
        await Users.AddAsync(user);
        return user;
    }
}

public sealed class DatabaseUserDirectoryTests : UserDirectoryTests
{
    protected override Task<IUserDirectory> CreateAsync(TestDatabase database, IUserStore users) =>
        Task.FromResult<IUserDirectory>(new DatabaseUserDirectory(database.Contexts, users));
}

/// <summary>The same on PostgreSQL, which also proves the Telegram migration there.</summary>
[Trait("Category", "Peer")]
public sealed class PostgresDatabaseUserDirectoryTests : UserDirectoryTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.Postgres;

    protected override Task<IUserDirectory> CreateAsync(TestDatabase database, IUserStore users) =>
        Task.FromResult<IUserDirectory>(new DatabaseUserDirectory(database.Contexts, users));
}

/// <summary>The same on DynamoDB, against moto (the AWS tests' shared server, reset before each test).</summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class DynamoDbUserDirectoryTests(MotoServer moto) : UserDirectoryTests
{
    protected override async Task<IUserDirectory> CreateAsync(TestDatabase database, IUserStore users)
    {
        await moto.ResetAsync();
        var client = new AmazonDynamoDBClient(
            new BasicAWSCredentials("testing", "testing"),
            new AmazonDynamoDBConfig { ServiceURL = moto.Url.ToString().TrimEnd('/'), AuthenticationRegion = "eu-west-1" });
        var directory = new DynamoDbUserDirectory(client, "portalops-telegram", users);
        await directory.EnsureTableAsync();
        _client = client;
        return directory;
    }

    private AmazonDynamoDBClient _client = null!;

    [Fact]
    public async Task Find_TableMissing_UnavailableNamingTheTableAndCheckSaysSo()
    {
        await _client.DeleteTableAsync("portalops-telegram");

        var missing = await Assert.ThrowsAsync<UserDirectoryUnavailableException>(() => Directory.FindByChatUserAsync(1));
        await Assert.ThrowsAsync<UserDirectoryUnavailableException>(() => Directory.FindLinksAsync([Guid.NewGuid()]));

        Assert.Equal("The Telegram user directory (DynamoDB table 'portalops-telegram') is unavailable: the table does not exist.", missing.Message);
        var health = await Directory.CheckAsync();
        Assert.Equal((false, "The DynamoDB table 'portalops-telegram' does not exist."), (health.Available, health.Problem));
    }
}
