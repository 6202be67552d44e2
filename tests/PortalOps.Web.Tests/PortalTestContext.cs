using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using MudBlazor.Services;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Instances;
using PortalOps.Jobs.Telegram;
using PortalOps.Jobs.Telegram.Bot;
using PortalOps.Jobs.Telegram.Groups;
using PortalOps.Jobs.Telegram.Linking;
using PortalOps.Jobs.Telegram.Notifications;
using PortalOps.Jobs.Telegram.Outbox;
using PortalOps.Web.Security;
using PortalOps.Web.Tests.Fakes;

namespace PortalOps.Web.Tests;

/// <summary>
/// The one bUnit context for page tests: MudBlazor services with loose JS interop, a signed-in person whose claims are the ones
/// <see cref="PortalClaims.Create"/> issues, in-memory stores, recording peers, and the real <see cref="ActionPipeline"/> and <see cref="CurrentActor"/>.
/// </summary>
public abstract class PortalTestContext : BunitContext, IAsyncLifetime
{
    public const string Password = "correct horse battery";

    public static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    private readonly BunitAuthorizationContext _authorization;
    private IRenderedComponent<MudDialogProvider>? _dialogs;

    protected PortalTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;

        // The build machine is shared; a busy moment must not fail a wait that would have succeeded.
        DefaultWaitTimeout = TimeSpan.FromSeconds(5);
        Services.AddMudServices(options =>
        {
            options.SnackbarConfiguration.ShowTransitionDuration = 0;
            options.SnackbarConfiguration.HideTransitionDuration = 0;
        });

        AuditLog = new FakeAuditLog(Clock);
        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddSingleton<IUserStore>(Users);
        Services.AddSingleton<IApprovalStore>(Approvals);
        Services.AddSingleton<IActionLedger>(new FakeActionLedger());
        Services.AddSingleton<IAuditLog>(AuditLog);
        Services.AddSingleton<PortalOps.Domain.Compliance.Reports.IComplianceReportStore>(ComplianceReports);
        AuditVerification = new FakeAuditVerification(AuditLog, Clock);
        Services.AddSingleton<IAuditVerification>(AuditVerification);
        Services.AddSingleton<IInventory>(Inventory);
        Services.AddSingleton<ICompute>(Compute);
        Services.AddSingleton<IActionScheduler>(Scheduler);
        Services.AddSingleton<INotifier>(Notifier);
        Services.AddSingleton<IFleetEvents>(FleetEvents);
        Services.AddSingleton<PortalOps.Domain.Monitoring.IMetricStore>(Metrics);
        Services.AddSingleton<PortalOps.Domain.Monitoring.IMonitoringEvents, PortalOps.Jobs.Monitoring.MonitoringEvents>();
        Services.AddSingleton<ICloudProvider>(new FakeCloudProvider());
        Services.AddSingleton<IApprovalPolicyProvider>(new FixedApprovalPolicy(ApprovalPolicy.Default));
        Services.AddScoped<IActionExecutor, InstanceActionExecutor>();
        Services.AddScoped<ActionPipeline>();
        Services.AddScoped<CurrentActor>();

        Services.AddSingleton<IPasswordHasher<PortalUser>>(Hasher);
        Services.AddSingleton(Options.Create(new AuthOptions()));
        Services.AddSingleton<ISetupTokenStore, FakeSetupTokens>();
        Services.AddSingleton<LoginThrottle>();
        Services.AddScoped<LocalAccounts>();
        Services.AddScoped<UserAdministration>();
        Services.AddScoped<TwoFactor>();

        // Telegram: off unless a test turns it on with EnableTelegram.
        Directory = new FakeUserDirectory(Users);
        LinkCodes = new FakeLinkCodes(Clock);
        Services.AddSingleton(_ => Options.Create(TelegramOptions));
        Services.AddSingleton(TelegramStatus);
        Services.AddSingleton<IUserDirectory>(Directory);
        Services.AddSingleton<ILinkCodes>(LinkCodes);
        Services.AddSingleton<IPreferenceStore>(Preferences);
        Services.AddSingleton<ITelegramGroups>(Groups);
        Services.AddSingleton<TelegramOutbox>();
        Services.AddScoped<TelegramLinking>();
        Services.AddLogging();

        _authorization = AddAuthorization();
    }

    /// <summary>A cheap hasher: the real format with few iterations, so that tests stay fast.</summary>
    public static PasswordHasher<PortalUser> Hasher { get; } = new(Options.Create(new PasswordHasherOptions { IterationCount = 1000 }));

    protected FakeTimeProvider Clock { get; } = new(Start);

    protected FakeUserStore Users { get; } = new();

    protected FakeApprovalStore Approvals { get; } = new();

    protected FakeAuditLog AuditLog { get; }

    protected FakeComplianceReports ComplianceReports { get; } = new();

    protected FakeAuditVerification AuditVerification { get; }

    protected FakeInventory Inventory { get; } = new();

    protected RecordingCompute Compute { get; } = new();

    protected RecordingScheduler Scheduler { get; } = new();

    protected RecordingNotifier Notifier { get; } = new();

    protected FleetEvents FleetEvents { get; } = new();

    protected FakeMetricStore Metrics { get; } = new();

    protected TelegramOptions TelegramOptions { get; } = new();

    protected TelegramStatus TelegramStatus { get; } = new();

    protected FakeUserDirectory Directory { get; }

    protected FakeLinkCodes LinkCodes { get; }

    protected FakePreferenceStore Preferences { get; } = new();

    protected FakeTelegramGroups Groups { get; } = new();

    /// <summary>Turns the bot on (a token is configured) and names it, as getMe would.</summary>
    protected void EnableTelegram(string botUserName = "portalops_bot")
    {
        TelegramOptions.Token = "123456789:TEST-bunit-token-0123456789abcdefXYZ";
        TelegramStatus.SetBot(botUserName);
        TelegramStatus.Set(BotMode.Polling);
    }

    /// <summary>Where MudBlazor dialogs (confirmations) appear once a page is rendered.</summary>
    protected IRenderedComponent<MudDialogProvider> DialogProvider => _dialogs ?? throw new InvalidOperationException("Render a page first.");

    protected ISnackbar Snackbar => Services.GetRequiredService<ISnackbar>();

    /// <summary>Adds a local user with <see cref="Password"/> to the store (scopes default to everything).</summary>
    protected PortalUser AddUser(string userName, Role role, params Scope[] scopes)
    {
        var user = new PortalUser(Guid.NewGuid(), userName, userName[..1].ToUpperInvariant() + userName[1..], role, scopes.Length == 0 ? [Scope.Everything] : scopes, Clock.GetUtcNow());
        user.SetPasswordHash(Hasher.HashPassword(user, Password));
        Users.Put(user);
        return user;
    }

    /// <summary>Adds the user and makes them the person using the page, with the claims a real login gives.</summary>
    protected PortalUser SignIn(string userName, Role role, params Scope[] scopes)
    {
        var user = AddUser(userName, role, scopes);
        SignIn(user);
        return user;
    }

    protected void SignIn(PortalUser user)
    {
        var principal = PortalClaims.Create(user, "local", Clock.GetUtcNow());
        // SetRoles would rebuild the principal without the claims, so the role travels as PortalClaims' own role claim.
        _authorization.SetAuthorized(user.UserName)
            .SetPolicies([.. Enum.GetValues<Role>().Where(r => r <= user.Role).Select(r => r.ToString())])
            .SetClaims([.. principal.Claims.Where(c => c.Type != System.Security.Claims.ClaimTypes.Name)]);
    }

    /// <summary>Renders MudBlazor's providers (popovers, dialogs, snackbars) and then the page, as the layout does.</summary>
    protected IRenderedComponent<TPage> RenderPage<TPage>(Action<ComponentParameterCollectionBuilder<TPage>>? parameters = null)
        where TPage : IComponent
    {
        Render<MudPopoverProvider>();
        _dialogs = Render<MudDialogProvider>();
        Render<MudSnackbarProvider>();
        return Render(parameters ?? (_ => { }));
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    // MudBlazor registers services that can only be disposed asynchronously.
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    protected IEnumerable<string> SnackbarMessages => Snackbar.ShownSnackbars.Select(s => s.Message ?? string.Empty);
}
