using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Sandbox;
using PortalOps.Jobs.Telegram;
using PortalOps.Jobs.Telegram.Bot;
using PortalOps.Jobs.Telegram.Linking;
using PortalOps.Jobs.Telegram.Outbox;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>
/// The back end as the web host wires it (domain, persistence on a fresh SQLite database, the Sandbox cloud, the Telegram bot),
/// talking over HTTP to a <see cref="BotApiServer"/> on loopback. Approved actions run at once in the background instead of through Hangfire.
/// </summary>
public sealed class BotHarness : IAsyncDisposable
{
    private BotHarness(BotApiServer api, TestDatabase database, IHost host, InlineActionScheduler scheduler)
    {
        Api = api;
        Database = database;
        Host = host;
        Scheduler = scheduler;
    }

    public BotApiServer Api { get; }

    public TestDatabase Database { get; }

    public IHost Host { get; }

    public IServiceProvider Services => Host.Services;

    public InlineActionScheduler Scheduler { get; }

    public SandboxCloud Cloud => Services.GetRequiredService<SandboxCloud>();

    public TelegramOutbox Outbox => Services.GetRequiredService<TelegramOutbox>();

    public TelegramStatus Status => Services.GetRequiredService<TelegramStatus>();

    /// <summary>Fast limits for functional tests; the outbox tests set Telegram's own.</summary>
    public static Dictionary<string, string?> FastSettings() => new()
    {
        ["Telegram:Outbox:ChatInterval"] = "00:00:00",
        ["Telegram:Outbox:GroupInterval"] = "00:00:00",
        ["Telegram:Outbox:GlobalPerSecond"] = "1000",
    };

    /// <summary>Starts the Bot API server, then the back end; <paramref name="prepare"/> sets the server up before the bot's first call.</summary>
    public static async Task<BotHarness> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, Action<BotApiServer>? prepare = null)
    {
        var api = await BotApiServer.StartAsync();
        prepare?.Invoke(api);
        var database = await TestDatabase.CreateSqliteAsync();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = database.DataDirectory,
            EnvironmentName = Environments.Development,
        });
        builder.Configuration.AddInMemoryCollection(database.Configuration);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Telegram:Token"] = BotApiServer.Token,
            ["Telegram:ApiBaseUrl"] = api.BaseUrl,
            ["Telegram:PollTimeoutSeconds"] = "2",
            ["Sandbox:PendingSeconds"] = "0.2",
            ["Sandbox:StoppingSeconds"] = "0.2",
            ["Sandbox:ShuttingDownSeconds"] = "0.2",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? FastSettings());
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }));
        builder.Services.AddLogging();
        builder.Services.AddDomain();
        builder.Services.AddSingleton<IFleetEvents, FleetEvents>();
        builder.Services.AddSandbox();
        builder.Services.AddPersistence(builder.Configuration, builder.Environment);
        builder.Services.AddTelegram(builder.Configuration);
        builder.Services.AddMonitoring();
        builder.Services.AddSingleton<InlineActionScheduler>();
        builder.Services.AddSingleton<IActionScheduler>(sp => sp.GetRequiredService<InlineActionScheduler>());
        services?.Invoke(builder.Services);
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            await api.DisposeAsync();
            await database.DisposeAsync();
            throw;
        }

        return new BotHarness(api, database, host, host.Services.GetRequiredService<InlineActionScheduler>());
    }

    public async Task<PortalUser> AddUserAsync(string userName, Role role, params string[] scopes)
    {
        var user = new PortalUser(Guid.NewGuid(), userName, userName, role, (scopes.Length == 0 ? ["*/*"] : scopes).Select(Scope.Parse), DateTimeOffset.UtcNow);
        await Services.GetRequiredService<IUserStore>().AddAsync(user);
        return user;
    }

    /// <summary>Links the person the way a user does it: a code from the portal, then <c>/start CODE</c> in a private chat.</summary>
    public async Task<TelegramUser> LinkAsync(PortalUser user, long telegramId)
    {
        var person = new TelegramUser(telegramId, user.UserName, user.UserName + "_tg");
        var (code, _) = await Services.GetRequiredService<ILinkCodes>().IssueAsync(user.Id, TimeSpan.FromMinutes(10));
        Api.Write(person, $"/start {code}");
        await Api.WaitForTextAsync(telegramId, "Linked");
        return person;
    }

    /// <summary>Writes and waits until the bot answered with a message containing <paramref name="expect"/>.</summary>
    public async Task<SentMessage> AskAsync(TelegramUser from, string text, string expect, long? chatId = null)
    {
        var before = Api.MessagesIn(chatId ?? from.Id).Select(m => m.MessageId).DefaultIfEmpty(0).Max();
        Api.Write(from, text, chatId);
        return await Api.WaitForMessageAsync(chatId ?? from.Id, m => m.MessageId > before && m.Text.Contains(expect, StringComparison.Ordinal), $"answering '{text}' with '{expect}'");
    }

    public async Task<IReadOnlyList<AuditRecord>> AuditAsync(string? action = null)
    {
        var page = await Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { Action = action, PageSize = 500 });
        return page.Items;
    }

    public async Task<Instance> InstanceAsync(InstanceState state, string? env = null)
    {
        var page = await Cloud.QueryAsync(new InstanceQuery { State = state, Tag = env is null ? null : $"env={env}", PageSize = 500 });
        return page.Items.First();
    }

    public async ValueTask DisposeAsync()
    {
        await Scheduler.DrainAsync();
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await Host.StopAsync(stop.Token);
        }

        Host.Dispose();
        await Api.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>Runs approved requests at once in the background (what the Hangfire job does, without the queue).</summary>
public sealed class InlineActionScheduler(IServiceScopeFactory scopes) : IActionScheduler
{
    private readonly ConcurrentQueue<Task> _runs = new();

    public ConcurrentQueue<Guid> Enqueued { get; } = new();

    public void EnqueueApproved(Guid approvalId)
    {
        Enqueued.Enqueue(approvalId);
        _runs.Enqueue(Task.Run(async () =>
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ActionPipeline>().ExecuteApprovedAsync(approvalId);
        }));
    }

    public async Task DrainAsync() => await Task.WhenAll(_runs.ToArray());
}
