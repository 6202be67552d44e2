using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Backups;

namespace PortalOps.Web.Tests.Components.Pages.Backups;

public sealed class BackupsPageTests : PortalTestContext
{
    private const string Prod = "123456789012";
    private const string Dev = "210987654321";
    private readonly MemoryBackups _backups = new();
    private readonly RecordingBackupExecutor _executor;
    private readonly BackupPolicy _policy;

    public BackupsPageTests()
    {
        var admin = new Actor(Guid.NewGuid(), "ada", Role.Admin, [Scope.Parse("*/*")], Channel.Web);
        _policy = BackupPolicy.Create(
            new BackupPolicyDraft("prod-daily", Prod, "eu-west-1", new Dictionary<string, string> { ["env"] = "prod" }, [],
                [new BackupRule("daily", "0 2 * * *", "UTC", 7, 30)], Copy: new DisasterRecoveryCopy("eu-central-1", null, 7), RpoHours: 26),
            new AnyCron(), admin, Start.AddDays(-3));
        _backups.Policies.Add(_policy);
        _backups.Protected.Add(new ProtectedInstance(_policy.Id, _policy.Name, new InstanceRef(Prod, "eu-west-1", "i-0abc"), "web-prod-1", _policy.Rpo, true,
            Start.AddHours(-5), Start.AddHours(-4), Start.AddDays(-3), Start.AddHours(-5), null, new Dictionary<string, string> { ["env"] = "prod" }));
        _backups.Protected.Add(new ProtectedInstance(_policy.Id, _policy.Name, new InstanceRef(Prod, "eu-west-1", "i-0def"), "web-prod-2", _policy.Rpo, true,
            Start.AddDays(-2), Start.AddDays(-2), Start.AddDays(-3), Start.AddHours(-5), "snapshot failed", new Dictionary<string, string> { ["env"] = "prod" }));

        var web = new Instance(new InstanceRef(Prod, "eu-west-1", "i-0abc"), "web-prod-1", "t3.micro", InstanceState.Running, "eu-west-1a", "Linux/UNIX",
            Start.AddDays(-10), new Dictionary<string, string> { ["env"] = "prod" }, []);
        _backups.Runs.Add(BackupRun.Plan(_policy, new BackupWindow(_policy.Id, "daily", Start.AddHours(-7)), [web], Start.AddHours(-7)));

        _executor = new RecordingBackupExecutor(_backups);
        Services.AddSingleton<IBackupPolicyStore>(_backups);
        Services.AddSingleton<IBackupRunStore>(_backups);
        Services.AddSingleton<IBackupProtectionStore>(_backups);
        Services.AddSingleton<ICronSchedule>(new AnyCron());
        Services.AddScoped<IActionExecutor>(_ => _executor);
        Services.AddScoped(sp => new BackupActions(sp.GetRequiredService<IBackupPolicyStore>(), sp.GetRequiredService<ICronSchedule>(),
            sp.GetRequiredService<ActionPipeline>(), sp.GetRequiredService<TimeProvider>()));
    }

    [Fact]
    public void ViewerInScope_SeesPolicyAndProtectedInstances_WithRpoStatus_ButNoBackUpNow()
    {
        SignIn("olga", Role.Viewer, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<BackupsPage>();

        page.WaitForAssertion(() => Assert.Contains("prod-daily", page.Find("[data-testid=policy-table]").TextContent, StringComparison.Ordinal));
        var policies = page.Find("[data-testid=policy-table]").TextContent;
        Assert.Contains("0 2 * * *", policies, StringComparison.Ordinal);
        Assert.Contains("eu-central-1", policies, StringComparison.Ordinal);
        var protectedRows = page.Find("[data-testid=protected-table]").TextContent;
        Assert.Contains("web-prod-1", protectedRows, StringComparison.Ordinal);
        Assert.Equal(["met", "missed"], page.FindAll("[data-testid=rpo-status]").Select(c => c.TextContent.Trim()).Order().ToArray());
        Assert.Empty(page.FindAll("[data-testid=backup-now]"));
        var runs = page.Find("[data-testid=run-table]").TextContent;
        Assert.Contains("daily", runs, StringComparison.Ordinal);
        Assert.Contains("Running", runs, StringComparison.Ordinal);
    }

    [Fact]
    public void ViewerOfAnotherScope_SeesNeitherPolicyNorInstance()
    {
        SignIn("vera", Role.Viewer, Scope.Parse($"{Dev}/*"));
        var page = RenderPage<BackupsPage>();

        page.WaitForAssertion(() => Assert.Contains("No backup policy to show", page.Find("[data-testid=policy-table]").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain("prod-daily", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("web-prod", page.Markup, StringComparison.Ordinal);
        Assert.Contains("No protected instance to show", page.Find("[data-testid=protected-table]").TextContent, StringComparison.Ordinal);
        Assert.All(_backups.Asked, q => Assert.False(q.Scope.Covers(Footprint.Of(Prod, "eu-west-1", null))));
    }

    [Fact]
    public void TextFilter_NarrowsProtectedInstances()
    {
        SignIn("olga", Role.Viewer, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<BackupsPage>();
        page.WaitForAssertion(() => Assert.Contains("web-prod-2", page.Find("[data-testid=protected-table]").TextContent, StringComparison.Ordinal));

        page.Find("input[data-testid=backups-filter]").Input("web-prod-1");
        page.WaitForAssertion(() => Assert.DoesNotContain("web-prod-2", page.Find("[data-testid=protected-table]").TextContent, StringComparison.Ordinal));
        Assert.Contains("web-prod-1", page.Find("[data-testid=protected-table]").TextContent, StringComparison.Ordinal);
        Assert.Equal("web-prod-1", _backups.Asked[^1].Search);
    }

    [Fact]
    public async Task OverdueOnly_AsksTheStoreForMissedRows()
    {
        SignIn("olga", Role.Viewer, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<BackupsPage>();
        page.WaitForAssertion(() => Assert.Contains("web-prod-1", page.Find("[data-testid=protected-table]").TextContent, StringComparison.Ordinal));

        var toggle = page.FindComponents<MudBlazor.MudSwitch<bool>>().Single(s => s.Instance.Label == "Overdue only");
        await page.InvokeAsync(() => toggle.Instance.ValueChanged.InvokeAsync(true));
        page.WaitForAssertion(() => Assert.DoesNotContain("web-prod-1", page.Find("[data-testid=protected-table]").TextContent, StringComparison.Ordinal));
        Assert.Contains("web-prod-2", page.Find("[data-testid=protected-table]").TextContent, StringComparison.Ordinal);
        Assert.True(_backups.Asked[^1].MissedOnly);
    }

    [Fact]
    public void Operator_BackUpNow_GoesThroughThePipeline()
    {
        SignIn("otto", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<BackupsPage>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=backup-now]")));

        page.Find("[data-testid=backup-now]").Click();

        page.WaitForAssertion(() => Assert.Single(_executor.Calls));
        Assert.Equal("daily", _executor.Calls[0][BackupActions.RuleParameter]);
        Assert.Contains(AuditLog.Records, r => r.Event.Action == ActionKind.RunBackupNow.Name && r.Event.ActorName == "otto");
        page.WaitForAssertion(() => Assert.Contains(SnackbarMessages, m => m.Contains("prod-daily / daily: started", StringComparison.Ordinal)));
    }

    [Fact]
    public void OperatorOfAnotherScope_SeesNoBackUpNow()
    {
        SignIn("oscar", Role.Operator, Scope.Parse($"{Dev}/*"));
        var page = RenderPage<BackupsPage>();

        page.WaitForAssertion(() => Assert.Contains("No backup policy to show", page.Find("[data-testid=policy-table]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=backup-now]"));
        Assert.DoesNotContain("prod-daily", page.Find("[data-testid=run-table]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ProtectedCsv_HasRpoStatus()
    {
        var csv = PortalOps.Web.Endpoints.BackupsExport.ToCsv(_backups.Protected, Start);
        Assert.Contains("i-0abc", csv, StringComparison.Ordinal);
        Assert.Contains(",Met,", csv, StringComparison.Ordinal);
        Assert.Contains(",Missed,", csv, StringComparison.Ordinal);
    }

    private sealed class AnyCron : ICronSchedule
    {
        public string? CronProblem(string cron, string timeZone) => null;

        public string? TimeZoneProblem(string timeZone) => null;

        public IEnumerable<DateTimeOffset> Occurrences(string cron, string timeZone, DateTimeOffset fromExclusive, DateTimeOffset toInclusive) => [];
    }

    private sealed class RecordingBackupExecutor(MemoryBackups backups) : IActionExecutor
    {
        public List<IReadOnlyDictionary<string, string>> Calls { get; } = [];

        public bool CanExecute(ActionKind kind) => kind == ActionKind.RunBackupNow;

        public Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
        {
            Calls.Add(parameters);
            return Task.FromResult(new ActionExecution(true, "Run started.", null));
        }

        public Task<ResolvedTarget?> ResolveAsync(ActionKind kind, InstanceRef target, CancellationToken cancellationToken) =>
            Task.FromResult(backups.Policies.FirstOrDefault(p => p.Id.ToString("N") == target.InstanceId) is { } p
                ? new ResolvedTarget(target, p.Name, p.Content.SelectorTags)
                : null);
    }

    private sealed class MemoryBackups : IBackupPolicyStore, IBackupRunStore, IBackupProtectionStore
    {
        public List<BackupPolicy> Policies { get; } = [];

        public List<BackupRun> Runs { get; } = [];

        public List<ProtectedInstance> Protected { get; } = [];

        public List<ProtectionQuery> Asked { get; } = [];

        public Task<IReadOnlyList<BackupPolicy>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<BackupPolicy>>(Policies.ToList());

        public Task<BackupPolicy?> FindAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(Policies.FirstOrDefault(p => p.Id == id));

        public Task<IReadOnlyList<BackupPolicy>> HistoryAsync(Guid id, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<BackupPolicy>>(Policies.Where(p => p.Id == id).ToList());

        public Task AddVersionAsync(BackupPolicy policy, CancellationToken cancellationToken = default)
        {
            Policies.Add(policy);
            return Task.CompletedTask;
        }

        public Task<bool> TryAddAsync(BackupRun run, CancellationToken cancellationToken = default)
        {
            Runs.Add(run);
            return Task.FromResult(true);
        }

        public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(Runs.Any(r => r.Key == key));

        Task<BackupRun?> IBackupRunStore.FindAsync(Guid id, CancellationToken cancellationToken) => Task.FromResult(Runs.FirstOrDefault(r => r.Id == id));

        public Task<IReadOnlyList<Guid>> ActiveAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<Guid>>(Runs.Where(r => !r.IsFinished).Select(r => r.Id).ToList());

        public Task SaveAsync(BackupRun run, int expectedVersion, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<Page<BackupRun>> QueryAsync(ReadScope scope, BackupRunQuery query, CancellationToken cancellationToken = default)
        {
            var rows = Runs.Where(r => scope.Covers(r.Footprint)).ToList();
            return Task.FromResult(new Page<BackupRun>(rows.Take(query.PageSize).ToList(), rows.Count, query.PageIndex, query.PageSize));
        }

        public Task<IReadOnlyList<BackupRun>> FinishedSinceAsync(ReadScope scope, DateTimeOffset since, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<BackupRun>>([]);

        public Task RecordAsync(BackupRun run, BackupPolicy policy, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<Page<ProtectedInstance>> QueryAsync(ProtectionQuery query, CancellationToken cancellationToken = default)
        {
            Asked.Add(query);
            var rows = Protected.Where(p => query.Scope.Covers(p.Footprint)
                && (query.Search is not { } text || p.Name.Contains(text, StringComparison.OrdinalIgnoreCase) || p.Instance.ToString().Contains(text, StringComparison.OrdinalIgnoreCase))
                && (!query.MissedOnly || p.DueBy < query.Now)).ToList();
            return Task.FromResult(new Page<ProtectedInstance>(rows.Skip(query.PageIndex * query.PageSize).Take(query.PageSize).ToList(), rows.Count, query.PageIndex, query.PageSize));
        }

        public Task<IReadOnlyList<ProtectedInstance>> ListAsync(ReadScope scope, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<ProtectedInstance>>(Protected.Where(p => scope.Covers(p.Footprint)).ToList());
    }
}
