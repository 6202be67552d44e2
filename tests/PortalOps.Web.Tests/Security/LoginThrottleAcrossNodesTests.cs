using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Security;
using PortalOps.Jobs;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Tests.Fixtures;
using PortalOps.Web.Security;

namespace PortalOps.Web.Tests.Security;

/// <summary>
/// The login throttle on two web nodes sharing one PostgreSQL database: each node is its own service provider, built from the
/// same registrations the host uses (the persistence, the throttle, the local accounts), with its own clock kept in step with the
/// other's. Failures made on either node count together, at once or in turn; invented names stay within the fixed buckets.
/// </summary>
[Trait("Category", "Peer")]
public sealed class LoginThrottleAcrossNodesTests : IAsyncLifetime
{
    private const string Password = "node-password-12345";
    private const string Wrong = "not-the-password-1";
    private const string UserName = "dana";
    private const string BadCredentials = "The user name or password is not right.";
    private const string Locked = "Too many failed attempts. Try again in a few minutes.";

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "portalops-nodes-" + Guid.NewGuid().ToString("N"));
    // Whole seconds: PostgreSQL keeps microseconds, and the tests compare the lock's end as stored.
    private readonly DateTimeOffset _start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    private PostgresCluster _cluster = null!;
    private string _connectionString = null!;
    private Node _a = null!;
    private Node _b = null!;
    private PortalUser _user = null!;

    public async Task InitializeAsync()
    {
        _cluster = await PostgresCluster.GetAsync();
        _connectionString = await _cluster.CreateDatabaseAsync();
        _a = new Node(_connectionString, _dataPath, _start);
        _b = new Node(_connectionString, _dataPath, _start);

        _user = new PortalUser(Guid.NewGuid(), UserName, "Dana", Role.Operator, [Scope.Parse("*/*")], _start);
        _user.SetPasswordHash(_a.Services.GetRequiredService<IPasswordHasher<PortalUser>>().HashPassword(_user, Password));
        await _a.Services.GetRequiredService<IUserStore>().AddAsync(_user);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _cluster.DropDatabaseAsync(_connectionString);
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
            // The temp folder is cleaned by the OS.
        }
    }

    [Fact]
    public async Task Login_FailuresAlternatingBetweenNodes_LockedOnBothEvenForTheRightPassword()
    {
        for (var i = 0; i < LoginThrottle.MaxFailures - 1; i++)
        {
            Assert.Equal(BadCredentials, (await NodeFor(i).LoginAsync(UserName, Wrong)).Error);
        }

        var before = await RowAsync();
        Assert.Equal(LoginThrottle.MaxFailures - 1, before!.Failures);
        Assert.Null(before.LockedUntil);

        // The fifth failure, on the other node than the fourth, reaches the limit.
        Assert.Equal(BadCredentials, (await NodeFor(LoginThrottle.MaxFailures - 1).LoginAsync(UserName, Wrong)).Error);

        var refusals = new List<LoginResult>();
        foreach (var node in new[] { _a, _b })
        {
            refusals.Add(await node.LoginAsync(UserName, Wrong));
            refusals.Add(await node.LoginAsync(UserName, Password));
        }

        Assert.All(refusals, r =>
        {
            Assert.False(r.Succeeded);
            Assert.Null(r.Principal);
            Assert.Equal(Locked, r.Error);
        });
        Assert.DoesNotContain('\n', Locked);

        // Refusals while locked are not counted again: the lock ends when it was set to, whatever is tried meanwhile.
        var row = await RowAsync();
        Assert.Equal(LoginThrottle.MaxFailures, row!.Failures);
        Assert.Equal(_start + LoginThrottle.Window, row.LockedUntil);
    }

    [Fact]
    public async Task Login_TwentyFailuresFromBothNodesAtOnce_EveryOneCountedAndLocked()
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, 20).Select(async i =>
        {
            await go.Task;
            return await NodeFor(i).LoginAsync(UserName, Wrong);
        }).ToList();
        go.SetResult();
        var results = await Task.WhenAll(attempts);

        // Each attempt answered "wrong password" counted one failure; the others found the lock already set.
        var counted = results.Count(r => r.Error == BadCredentials);
        Assert.All(results, r => Assert.Contains(r.Error, new[] { BadCredentials, Locked }));
        Assert.True(counted >= LoginThrottle.MaxFailures, $"only {counted} attempts were counted");
        var row = await RowAsync();
        Assert.Equal(counted, row!.Failures);
        Assert.Equal(_start + LoginThrottle.Window, row.LockedUntil);

        Assert.Equal(Locked, (await _a.LoginAsync(UserName, Password)).Error);
        Assert.Equal(Locked, (await _b.LoginAsync(UserName, Password)).Error);
    }

    [Fact]
    public async Task RecordFailure_TwentyAtOnceFromTwoNodesWithLimitTwenty_NoneLostAndLocked()
    {
        var key = EfLoginFailures.ForUser(Guid.NewGuid());
        var stores = new[] { _a.Services.GetRequiredService<EfLoginFailures>(), _b.Services.GetRequiredService<EfLoginFailures>() };
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failures = Enumerable.Range(0, 20).Select(async i =>
        {
            await go.Task;
            return await stores[i % 2].RecordFailureAsync(key, _start, limit: 20, LoginThrottle.Window);
        }).ToList();
        go.SetResult();
        var locked = await Task.WhenAll(failures);

        // A lost update would leave 19 and no lock; exactly one failure, the twentieth, saw the lock first.
        var row = await RowAsync(key);
        Assert.Equal(20, row!.Failures);
        Assert.Equal(_start + LoginThrottle.Window, row.LockedUntil);
        Assert.True(locked.Count(l => l) >= 1);
        Assert.True(await stores[0].IsLockedAsync(key, _start) && await stores[1].IsLockedAsync(key, _start));
    }

    [Fact]
    public async Task Login_InventedNamesOnBothNodes_TableStaysWithinItsBucketsAndTheAccountStillLogsIn()
    {
        // More names than buckets: a table keyed by the name itself would pass the bound.
        const int names = EfLoginFailures.NameBuckets + 100;
        using var gate = new SemaphoreSlim(8);
        var attempts = Enumerable.Range(0, names).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                return await NodeFor(i).LoginAsync($"invented-{i}-{Guid.NewGuid():N}", Wrong);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        var results = await Task.WhenAll(attempts);

        Assert.All(results, r => Assert.Contains(r.Error, new[] { BadCredentials, Locked }));
        var keys = await KeysAsync();
        Assert.InRange(keys.Count, 1, EfLoginFailures.NameBuckets);
        Assert.All(keys, k => Assert.StartsWith("name:", k, StringComparison.Ordinal));
        Assert.Equal(keys.Count, await _a.Services.GetRequiredService<EfLoginFailures>().CountAsync());

        // Locked buckets of invented names do not touch the account, on either node.
        Assert.True((await _a.LoginAsync(UserName, Password)).Succeeded);
        Assert.True((await _b.LoginAsync(UserName, Password)).Succeeded);
    }

    [Fact]
    public async Task Login_SuccessOnOneNode_ResetsTheCountForBoth()
    {
        // Within the window: three failures, a success on node B, then four more do not lock (without the reset, seven would).
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(BadCredentials, (await NodeFor(i).LoginAsync(UserName, Wrong)).Error);
        }

        Assert.True((await _b.LoginAsync(UserName, Password)).Succeeded);
        Assert.Null(await RowAsync());
        for (var i = 0; i < LoginThrottle.MaxFailures - 1; i++)
        {
            Assert.Equal(BadCredentials, (await NodeFor(i + 1).LoginAsync(UserName, Wrong)).Error);
        }

        Assert.True((await _a.LoginAsync(UserName, Password)).Succeeded);

        // Locked through both nodes, then the lock runs out: a success on node B clears it, and node A counts from zero.
        for (var i = 0; i < LoginThrottle.MaxFailures; i++)
        {
            await NodeFor(i).LoginAsync(UserName, Wrong);
        }

        Assert.Equal(Locked, (await _a.LoginAsync(UserName, Password)).Error);
        Advance(LoginThrottle.Window - TimeSpan.FromSeconds(1));
        Assert.Equal(Locked, (await _b.LoginAsync(UserName, Password)).Error);
        Advance(TimeSpan.FromSeconds(2));

        Assert.True((await _b.LoginAsync(UserName, Password)).Succeeded);
        Assert.Null(await RowAsync());
        for (var i = 0; i < LoginThrottle.MaxFailures - 1; i++)
        {
            Assert.Equal(BadCredentials, (await _a.LoginAsync(UserName, Wrong)).Error);
        }

        Assert.Equal(LoginThrottle.MaxFailures - 1, (await RowAsync())!.Failures);
        Assert.True((await _a.LoginAsync(UserName, Password)).Succeeded);
    }

    private Node NodeFor(int attempt) => attempt % 2 == 0 ? _a : _b;

    /// <summary>Both nodes' clocks move together, as synchronised servers' do.</summary>
    private void Advance(TimeSpan by)
    {
        _a.Clock.Advance(by);
        _b.Clock.Advance(by);
    }

    private async Task<LoginFailureRow?> RowAsync(string? key = null)
    {
        key ??= EfLoginFailures.ForUser(_user.Id);
        await using var db = await _a.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.LoginFailures.AsNoTracking().SingleOrDefaultAsync(f => f.Key == key);
    }

    private async Task<List<string>> KeysAsync()
    {
        await using var db = await _a.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.LoginFailures.AsNoTracking().Select(f => f.Key).ToListAsync();
    }

    /// <summary>One web node's login path: the host's persistence and the same security registrations as the web services.</summary>
    private sealed class Node : IAsyncDisposable
    {
        public Node(string connectionString, string dataPath, DateTimeOffset start)
        {
            Clock = new FakeTimeProvider(start);
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:PortalOps"] = connectionString,
                ["Data:Path"] = dataPath,
            }).Build();
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(configuration);
            services.AddLogging();
            services.AddSingleton<TimeProvider>(Clock);
            services.AddPersistence(configuration, dataPath);
            services.AddSingleton(Options.Create(new AuthOptions()));
            services.AddSingleton<IPasswordHasher<PortalUser>, PasswordHasher<PortalUser>>();
            services.AddSingleton<LoginThrottle>();
            services.AddScoped<LocalAccounts>();
            Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });

            // The audit key file in the shared data folder is made (or read) now, not by two nodes' first logins at once.
            Services.GetRequiredService<Domain.Audit.IAuditLog>();
        }

        public FakeTimeProvider Clock { get; }

        public ServiceProvider Services { get; }

        public async Task<LoginResult> LoginAsync(string userName, string password)
        {
            await using var scope = Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<LocalAccounts>().LoginAsync(userName, password, totpCode: null);
        }

        public ValueTask DisposeAsync() => Services.DisposeAsync();
    }
}
