using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Scaling;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Scaling;

namespace PortalOps.Web.Tests.Components.Pages.Scaling;

public sealed class OffHoursPageTests : PortalTestContext
{
    private const string Prod = "123456789012";
    private const string Dev = "210987654321";
    private readonly MemoryOffHoursStore _store = new();

    public OffHoursPageTests()
    {
        var settings = new OffHoursSettings();
        _store.Schedules.Add(Schedule("office", Prod));
        _store.Schedules.Add(Schedule("dev-hours", Dev));
        Inventory.Add(
            Vm("i-00000000000000001", Prod, "office", "web-1"),
            Vm("i-00000000000000002", Dev, "dev-hours", "dev-1"));
        Services.AddSingleton(settings);
        Services.AddSingleton<IOffHoursStore>(_store);
        Services.AddSingleton(new OffHoursPlanner(settings));
        Services.AddScoped(sp => new OffHoursSubjects(sp.GetRequiredService<IInventory>(), settings));
        Services.AddScoped<OffHoursOperations>();
        Services.AddScoped<IActionExecutor>(sp => new OffHoursExecutor(_store, settings, Clock));
    }

    [Fact]
    public void OperatorOfProd_SeesTheProdScheduleWithItsSaving_AndTheEditor_ButNotDevs()
    {
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<OffHoursPage>();

        page.WaitForAssertion(() => Assert.Contains("office", page.Find("[data-testid=schedule-table]").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain("dev-hours", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("dev-1", page.Markup, StringComparison.Ordinal);
        Assert.Contains("USD", page.Find("[data-testid=schedule-saving]").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("[data-testid=calendar-entry]"));
        page.Find("[data-testid=offhours-editor]");
        page.Find("[data-testid=override-editor]");
    }

    [Fact]
    public void PersonOfAnotherScope_SeesNoScheduleNoResourceAndNoEditorForThem()
    {
        SignIn("vera", Role.Viewer, Scope.Parse("999999999999/*"));
        var page = RenderPage<OffHoursPage>();

        page.WaitForAssertion(() => Assert.Contains("No off-hours schedule to show", page.Find("[data-testid=schedule-table]").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain("office", page.Find("[data-testid=schedule-table]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("web-1", page.Markup, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=calendar-entry]"));
        Assert.Empty(page.FindAll("[data-testid=offhours-editor]"));
        Assert.Empty(page.FindAll("[data-testid=override-editor]"));
    }

    [Fact]
    public void ViewerOfProd_SeesTheScheduleButCannotEdit()
    {
        SignIn("vic", Role.Viewer, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<OffHoursPage>();

        page.WaitForAssertion(() => Assert.Contains("office", page.Find("[data-testid=schedule-table]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=offhours-editor]"));
        Assert.Empty(page.FindAll("[data-testid=schedule-edit]"));
    }

    [Fact]
    public void Editor_OverlappingPeriodsAndAnUnknownZone_GetMessagesAtTheirFields_AndNothingIsSaved()
    {
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<OffHoursPage>();
        page.WaitForAssertion(() => page.Find("[data-testid=offhours-save]"));

        page.Find("[data-testid=offhours-name]").Change("late-shift");
        page.Find("[data-testid=offhours-timezone]").Change("Mars/Olympus_Mons");
        page.Find("[data-testid=offhours-account]").Change(Prod);
        page.Find("[data-testid=offhours-day-monday]").Change("08:00-12:00, 11:00-18:00");
        page.Find("[data-testid=offhours-day-tuesday]").Change("08:00-18:00");
        page.Find("[data-testid=offhours-holidays]").Change("christmas");
        page.Find("[data-testid=offhours-save]").Click();

        page.WaitForAssertion(() => Assert.Contains("overlap", Field(page, "offhours-day-monday"), StringComparison.Ordinal));
        Assert.Contains("not a time zone", Field(page, "offhours-timezone"), StringComparison.Ordinal);
        Assert.Contains("not a date", Field(page, "offhours-holidays"), StringComparison.Ordinal);
        Assert.DoesNotContain("overlap", Field(page, "offhours-day-tuesday"), StringComparison.Ordinal);
        Assert.Equal(2, _store.Schedules.Count);
        Assert.Empty(AuditLog.Events(ActionKind.SaveOffHoursSchedule.Name));
    }

    [Fact]
    public void Editor_GoodValues_AreSavedThroughThePipeline_AndAudited()
    {
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<OffHoursPage>();
        page.WaitForAssertion(() => page.Find("[data-testid=offhours-save]"));

        page.Find("[data-testid=offhours-name]").Change("late-shift");
        page.Find("[data-testid=offhours-timezone]").Change("Europe/Dublin");
        page.Find("[data-testid=offhours-account]").Change(Prod);
        page.Find("[data-testid=offhours-day-monday]").Change("12:00-22:00");
        page.Find("[data-testid=offhours-save]").Click();

        page.WaitForAssertion(() => Assert.Contains("Saved schedule late-shift v1", page.Find("[data-testid=offhours-outcome]").TextContent, StringComparison.Ordinal));
        var saved = Assert.Single(_store.Schedules, s => s.Name == "late-shift");
        Assert.Equal((Prod, "Europe/Dublin", "olga"), (saved.Content.AccountId, saved.Content.TimeZone, saved.UpdatedByName));
        Assert.Single(AuditLog.Events(ActionKind.SaveOffHoursSchedule.Name));
    }

    [Fact]
    public void Editor_AScheduleForEveryAccount_IsRefusedToAnOperatorOfOneAccount()
    {
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<OffHoursPage>();
        page.WaitForAssertion(() => page.Find("[data-testid=offhours-save]"));

        page.Find("[data-testid=offhours-name]").Change("everywhere");
        page.Find("[data-testid=offhours-day-monday]").Change("08:00-18:00");
        page.Find("[data-testid=offhours-save]").Click();

        page.WaitForAssertion(() => Assert.Contains("outside", page.Find("[data-testid=offhours-outcome]").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain(_store.Schedules, s => s.Name == "everywhere");
    }

    [Fact]
    public void KeepRunning_FromTheWeb_StoresAnOverrideUntilThatTimeInTheSchedulesZone()
    {
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<OffHoursPage>();
        page.WaitForAssertion(() => page.Find("[data-testid=override-submit]"));

        page.Find("[data-testid=override-resource]").Change("web-1");
        page.Find("[data-testid=override-until]").Change("22:00");
        page.Find("[data-testid=override-submit]").Click();

        page.WaitForAssertion(() => Assert.Contains("kept running until", page.Find("[data-testid=override-outcome]").TextContent, StringComparison.Ordinal));
        var keep = Assert.Single(_store.Overrides);
        // 25 November 2026 in Berlin is UTC+1: 22:00 there is 21:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 21, 0, 0, TimeSpan.Zero), keep.Until);
        Assert.Equal("i-00000000000000001", keep.Resource.Ref.InstanceId);

        page.Find("[data-testid=override-resource]").Change("dev-1");
        page.Find("[data-testid=override-submit]").Click();
        page.WaitForAssertion(() => Assert.Contains("No scheduled instance", Field(page, "override-resource"), StringComparison.Ordinal));
        Assert.Single(_store.Overrides);
    }

    private static string Field(IRenderedComponent<OffHoursPage> page, string testId) =>
        page.Find($"[data-testid={testId}]").Closest(".mud-input-control")!.TextContent;

    private static Instance Vm(string id, string account, string schedule, string name) =>
        new(new InstanceRef(account, "eu-west-1", id), name, "m5.large", InstanceState.Running, "eu-west-1a", "Linux/UNIX", Start.AddHours(-2),
            new Dictionary<string, string> { ["Schedule"] = schedule, ["Name"] = name }, []);

    private static SavedSchedule Schedule(string name, string account) => new(Guid.NewGuid(), 1,
        new ScheduleContent(name, "Europe/Berlin", ScheduleDraft.Week.Take(5).Select(d => new SchedulePeriod(d, new TimeOnly(8, 0), new TimeOnly(19, 0))).ToList(), [], account),
        Guid.Empty, "test", Start.AddDays(-30));

    private sealed class MemoryOffHoursStore : IOffHoursStore
    {
        public List<SavedSchedule> Schedules { get; } = [];

        public List<ScheduleOverride> Overrides { get; } = [];

        public List<EdgeRecord> Records { get; } = [];

        public Task<IReadOnlyList<SavedSchedule>> ListAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<SavedSchedule>>(Schedules.GroupBy(s => s.Id).Select(g => g.MaxBy(s => s.Version)!).ToList());

        public Task<SavedSchedule?> FindAsync(Guid id, CancellationToken cancellationToken = default) =>
            Task.FromResult(Schedules.Where(s => s.Id == id).MaxBy(s => s.Version));

        public Task<IReadOnlyList<SavedSchedule>> HistoryAsync(Guid id, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<SavedSchedule>>(Schedules.Where(s => s.Id == id).OrderByDescending(s => s.Version).ToList());

        public Task AddVersionAsync(SavedSchedule schedule, CancellationToken cancellationToken = default)
        {
            if (Schedules.Any(s => s.Id == schedule.Id && s.Version == schedule.Version))
            {
                throw new ConcurrencyConflictException("exists");
            }

            Schedules.Add(schedule);
            return Task.CompletedTask;
        }

        public Task<bool> AddOverrideAsync(ScheduleOverride value, CancellationToken cancellationToken = default)
        {
            if (Overrides.Any(o => o.Id == value.Id))
            {
                return Task.FromResult(false);
            }

            Overrides.Add(value);
            return Task.FromResult(true);
        }

        public Task<IReadOnlyList<ScheduleOverride>> OverridesEndingSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<ScheduleOverride>>(Overrides.Where(o => o.Until >= since).ToList());

        public Task<bool> TryClaimAsync(EdgeRecord record, CancellationToken cancellationToken = default)
        {
            if (Records.Any(r => r.Key == record.Key))
            {
                return Task.FromResult(false);
            }

            Records.Add(record);
            return Task.FromResult(true);
        }

        public Task<EdgeRecord?> FindRecordAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(Records.FirstOrDefault(r => r.Key == key));

        public Task CompleteAsync(string key, EdgeOutcome outcome, string? summary, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<IReadOnlyList<EdgeRecord>> RecordsSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<EdgeRecord>>(Records.Where(r => r.At >= since).ToList());

        public Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default) => Task.FromResult(0);
    }
}
