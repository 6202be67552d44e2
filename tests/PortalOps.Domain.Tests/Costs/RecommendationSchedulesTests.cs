using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Scaling;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Fakes;

namespace PortalOps.Domain.Tests.Costs;

/// <summary>
/// Attaching an off-hours schedule to an idle instance's recommendation: one tag edit through the pipeline, waiting for approval,
/// after which the schedule counts the instance among its members; every bad input is refused before anything is submitted.
/// </summary>
public sealed class RecommendationSchedulesTests : IAsyncLifetime
{
    private static readonly InstanceRef Idle = new(Make.ProdAccount, "eu-west-1", "i-0idle");

    private readonly FakeTimeProvider _clock = new(Make.Now);
    private readonly OffHoursSettings _settings = new();
    private readonly FakeInventory _inventory;
    private readonly TaggingAttributes _attributes;
    private readonly MemoryRecommendationStore _recommendations = new();
    private readonly MemoryScheduleStore _schedules = new();
    private readonly InMemoryApprovalStore _approvals = new();
    private readonly InMemoryAuditLog _audit;
    private readonly InMemoryUserStore _users = new();
    private readonly InMemorySavingsStore _savings = new();
    private readonly ActionPipeline _pipeline;
    private readonly RecommendationSchedules _sut;
    private readonly PortalUser _owen = Make.User("owen", Role.Operator, $"{Make.ProdAccount}/*");
    private readonly PortalUser _alice = Make.User("alice", Role.Approver, "*/*");

    public RecommendationSchedulesTests()
    {
        _inventory = new FakeInventory([Make.Instance(Idle.InstanceId, name: "dev-batch-03", type: "m5.large", tags: ["env=dev"])]);
        _attributes = new TaggingAttributes(_inventory);
        _audit = new InMemoryAuditLog(_clock);
        _pipeline = new ActionPipeline(_inventory, [new InstanceSettingsExecutor(_attributes)], new FixedApprovalPolicyProvider(new ApprovalPolicy([], TimeSpan.FromHours(24))),
            _approvals, new RecordingScheduler(), _audit, new RecordingNotifier(), _users, _clock, new InMemoryActionLedger());
        _sut = new RecommendationSchedules(_recommendations, _schedules, _settings, _inventory, _pipeline, _clock, _savings);
        _recommendations.Add(new Recommendation(RecommendationKind.StopIdle, Idle, "dev-batch-03", Make.Tags("env=dev"), "m5.large", null, 70.08m, Confidence.High, ["Idle"]));
        _schedules.Add(Schedule("office-hours"));
        _schedules.Add(Schedule("long-day"));
        _schedules.Add(Schedule("virginia", region: "us-east-1"));
        _schedules.Add(Schedule("paused", enabled: false));
        _schedules.Add(Schedule("dev-only", account: Make.DevAccount));
        _schedules.Add(Schedule("everywhere", account: null)); // only people whose scope covers every account see it
    }

    public async Task InitializeAsync()
    {
        await _users.AddAsync(_owen);
        await _users.AddAsync(_alice);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Key => Recommendation.KeyOf(RecommendationKind.StopIdle, Idle);

    private Actor Owen => _owen.AsActor(Channel.Web);

    [Fact]
    public async Task Choices_AreTheSwitchedOnSchedulesActingWhereTheInstanceIs()
    {
        var view = (await _recommendations.FindAsync(Key))!;

        var choices = await _sut.ChoicesAsync(Owen, view.Recommendation);

        Assert.Equal(["long-day", "office-hours"], choices.Select(c => c.Name));
        Assert.Equal(["everywhere", "long-day", "office-hours"], (await _sut.ChoicesAsync(Make.Actor("ada", Role.Admin, "*/*"), view.Recommendation)).Select(c => c.Name));
        Assert.Empty(await _sut.ChoicesAsync(Make.Actor("dora", Role.Operator, $"{Make.DevAccount}/*"), view.Recommendation));
    }

    [Fact]
    public async Task Attach_WaitsForApproval_ThenTagsTheInstance_AndTheScheduleCountsItAsAMember()
    {
        var asked = await _sut.AttachAsync(Owen, Key, "office-hours");

        Assert.Equal(ActionStatus.PendingApproval, asked.Status);
        Assert.Empty(_attributes.Calls);
        var request = Assert.Single(await _approvals.ListAsync(null, 10));
        Assert.Equal((ActionKind.EditTags.Name, CostRecommendations.ApprovalRule), (request.KindName, request.Rule));
        Assert.Equal("office-hours", request.Parameters[InstanceSettingsExecutor.SetTagPrefix + "Schedule"]);
        var applied = (await _recommendations.FindAsync(Key))!;
        Assert.StartsWith("Off-hours schedule office-hours: ", applied.AppliedSummary, StringComparison.Ordinal);
        var saving = Assert.Single(await _savings.ListAsync(null));
        Assert.Equal((SavingState.Pending, request.Id, 70.08m), (saving.State, saving.ApprovalId, saving.MonthlyBefore));
        // Office hours (Mon–Fri 08–19) run 55 of 168 hours a week: the saving is the rest.
        Assert.InRange(saving.MonthlySaving, 70.08m * 0.6m, 70.08m * 0.72m);

        var again = await _sut.AttachAsync(Owen, Key, "office-hours");
        Assert.Equal(ActionStatus.Refused, again.Status);
        Assert.StartsWith("This recommendation was applied already: Off-hours schedule office-hours", again.Message, StringComparison.Ordinal);
        Assert.Single(await _approvals.ListAsync(null, 10));

        await _pipeline.ApproveAsync(_alice.AsActor(Channel.Web), request.Id, "ok");
        var done = await _pipeline.ExecuteApprovedAsync(request.Id);

        Assert.Equal(ActionStatus.Executed, done.Status);
        var call = Assert.Single(_attributes.Calls);
        Assert.Equal((Idle, "office-hours"), (call.Instance, call.Set["Schedule"]));
        var (subjects, _) = await new OffHoursSubjects(_inventory, _settings).ReadAsync();
        var member = Assert.Single(subjects, s => _schedules.Items.Single(x => x.Name == "office-hours").Attaches(_settings.TagKey, s.Resource.Ref.AccountId, s.Resource.Ref.Region, s.Tags));
        Assert.Equal(Idle, member.Resource.Ref);
        Assert.Contains(_audit.Events, e => e.Action == ActionKind.EditTags.Name && e.Outcome == PortalOps.Domain.Audit.AuditOutcome.Succeeded);
    }

    [Theory]
    [InlineData("weekend-only")]
    [InlineData("dev-only")] // exists, in an account outside Owen's scope: reads the same as missing
    public async Task Attach_UnknownSchedule_IsRefusedWithItsName_AndNothingIsSubmitted(string schedule)
    {
        var result = await _sut.AttachAsync(Owen, Key, schedule);

        Assert.Equal(ActionStatus.NotFound, result.Status);
        Assert.Equal($"There is no off-hours schedule called {schedule}.", result.Message);
        await AssertNothingSubmittedAsync();
    }

    [Fact]
    public async Task Attach_InstanceFollowingAnotherSchedule_IsRefusedNamingIt()
    {
        _inventory.Replace(Make.Instance(Idle.InstanceId, name: "dev-batch-03", type: "m5.large", tags: ["env=dev", "Schedule=long-day"]));

        var result = await _sut.AttachAsync(Owen, Key, "office-hours");

        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.Contains("follows another schedule, long-day (Schedule=long-day)", result.Message, StringComparison.Ordinal);
        await AssertNothingSubmittedAsync();
    }

    [Fact]
    public async Task Attach_TheScheduleItFollowsAlready_SaysSo()
    {
        _inventory.Replace(Make.Instance(Idle.InstanceId, name: "dev-batch-03", type: "m5.large", tags: ["env=dev", "Schedule=Office-Hours"]));

        var result = await _sut.AttachAsync(Owen, Key, "office-hours");

        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.Contains("follows schedule office-hours already", result.Message, StringComparison.Ordinal);
        await AssertNothingSubmittedAsync();
    }

    [Theory]
    [InlineData("virginia", "Schedule virginia acts in 123456789012/us-east-1; i-0idle is in 123456789012/eu-west-1.")]
    [InlineData("paused", "Schedule paused is switched off; switch it on on the Off-hours page first.")]
    [InlineData("  ", "Choose an off-hours schedule to attach.")]
    public async Task Attach_ScheduleThatWouldNotAct_IsRefusedWithTheReason(string schedule, string message)
    {
        var result = await _sut.AttachAsync(Owen, Key, schedule);

        Assert.Equal((ActionStatus.Refused, message), (result.Status, result.Message));
        await AssertNothingSubmittedAsync();
    }

    [Fact]
    public async Task Attach_ByAViewer_IsRefused_AndOutsideTheScope_ReadsAsMissing()
    {
        var viewer = await _sut.AttachAsync(Make.Actor("vic", Role.Viewer, $"{Make.ProdAccount}/*"), Key, "office-hours");
        var stranger = await _sut.AttachAsync(Make.Actor("otto", Role.Operator, $"{Make.DevAccount}/*"), Key, "office-hours");

        Assert.Equal(ActionStatus.Refused, viewer.Status);
        Assert.Contains("needs the Operator role; vic is Viewer", viewer.Message, StringComparison.Ordinal);
        Assert.Equal((ActionStatus.NotFound, "No such recommendation."), (stranger.Status, stranger.Message));
        await AssertNothingSubmittedAsync();
    }

    [Fact]
    public async Task Attach_InstanceTaggedWithAnotherScheduleWhileWaiting_IsLeftUnchangedWhenApproved()
    {
        var asked = await _sut.AttachAsync(Owen, Key, "office-hours");
        _inventory.Replace(Make.Instance(Idle.InstanceId, name: "dev-batch-03", type: "m5.large", tags: ["env=dev", "Schedule=long-day"]));
        await _pipeline.ApproveAsync(_alice.AsActor(Channel.Web), asked.ApprovalId!.Value, "ok");

        var done = await _pipeline.ExecuteApprovedAsync(asked.ApprovalId!.Value);

        Assert.Equal(ActionStatus.Failed, done.Status);
        Assert.Contains("carries Schedule=long-day now; left unchanged", done.Message, StringComparison.Ordinal);
        Assert.Empty(_attributes.Calls);
    }

    [Fact]
    public async Task Attach_RecommendationWithoutAScheduleRemedy_IsRefused()
    {
        var volume = new Recommendation(RecommendationKind.DeleteVolume, new InstanceRef(Make.ProdAccount, "eu-west-1", "vol-1"), "old", Make.Tags(), "gp3", null, 4m, Confidence.High, []);
        _recommendations.Add(volume);

        var result = await _sut.AttachAsync(Owen, volume.Key, "office-hours");

        Assert.Equal(ActionStatus.Refused, result.Status);
        Assert.Contains("not remedied with an off-hours schedule", result.Message, StringComparison.Ordinal);
        Assert.Empty(await _sut.ChoicesAsync(Owen, volume));
    }

    private async Task AssertNothingSubmittedAsync()
    {
        Assert.Empty(await _approvals.ListAsync(null, 10));
        Assert.Empty(_attributes.Calls);
        Assert.Null((await _recommendations.FindAsync(Key))!.AppliedAt);
        Assert.Empty(await _savings.ListAsync(null));
    }

    private static SavedSchedule Schedule(string name, string? account = Make.ProdAccount, string? region = null, bool enabled = true) =>
        new(Guid.NewGuid(), 1, new ScheduleContent(name, "Europe/Berlin",
            ScheduleDraft.Week.Take(5).Select(d => new SchedulePeriod(d, new TimeOnly(8, 0), new TimeOnly(19, 0))).ToList(), [], account, region, enabled),
            Guid.Empty, "test", Make.Now.AddDays(-10));

    /// <summary>Tags instances in the fake inventory, as EC2 CreateTags would, and records each call.</summary>
    private sealed class TaggingAttributes(FakeInventory inventory) : IInstanceAttributes
    {
        public List<(InstanceRef Instance, IReadOnlyDictionary<string, string> Set)> Calls { get; } = [];

        public Task<InstanceAttributes?> GetAsync(InstanceRef instance, CancellationToken cancellationToken = default) => Task.FromResult<InstanceAttributes?>(null);

        public Task<string?> SetProtectionAsync(InstanceRef instance, bool? termination, bool? stop, CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);

        public async Task<string?> SetTagsAsync(InstanceRef instance, IReadOnlyDictionary<string, string> set, IReadOnlyCollection<string> remove, CancellationToken cancellationToken = default)
        {
            Calls.Add((instance, set));
            var current = (await inventory.FindAsync(instance, cancellationToken))!;
            var tags = new Dictionary<string, string>(current.Tags, StringComparer.Ordinal);
            foreach (var (k, v) in set)
            {
                tags[k] = v;
            }

            inventory.Replace(current with { Tags = tags });
            return "req-1";
        }
    }

    private sealed class MemoryScheduleStore : IOffHoursStore
    {
        public List<SavedSchedule> Items { get; } = [];

        public void Add(SavedSchedule schedule) => Items.Add(schedule);

        public Task<IReadOnlyList<SavedSchedule>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<SavedSchedule>>(Items.ToList());

        public Task<SavedSchedule?> FindAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(Items.FirstOrDefault(s => s.Id == id));

        public Task<IReadOnlyList<SavedSchedule>> HistoryAsync(Guid id, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<SavedSchedule>>(Items.Where(s => s.Id == id).ToList());

        public Task AddVersionAsync(SavedSchedule schedule, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> AddOverrideAsync(ScheduleOverride value, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<ScheduleOverride>> OverridesEndingSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<ScheduleOverride>>([]);

        public Task<bool> TryClaimAsync(EdgeRecord record, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<EdgeRecord?> FindRecordAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult<EdgeRecord?>(null);

        public Task CompleteAsync(string key, EdgeOutcome outcome, string? summary, DateTimeOffset at, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<EdgeRecord>> RecordsSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<EdgeRecord>>([]);

        public Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default) => Task.FromResult(0);
    }

    private sealed class MemoryRecommendationStore : ICostRecommendationStore
    {
        private readonly Dictionary<string, RecommendationView> _views = new(StringComparer.Ordinal);

        public void Add(Recommendation r) => _views[r.Key] = new RecommendationView(r, Make.Now, DateOnly.FromDateTime(Make.Now.UtcDateTime), null, null, null);

        public Task ReplaceAsync(CostScanRecord scan, IReadOnlyList<Recommendation> found, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<Page<RecommendationView>> QueryAsync(RecommendationQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<RecommendationView?> FindAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(_views.GetValueOrDefault(key));

        public Task<SavingsTotals> TotalsAsync(ReadScope? visibleTo, DateTimeOffset now, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task DismissAsync(Dismissal dismissal, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task MarkAppliedAsync(string key, string summary, DateTimeOffset at, CancellationToken cancellationToken = default)
        {
            _views[key] = _views[key] with { AppliedSummary = summary, AppliedAt = at };
            return Task.CompletedTask;
        }

        public Task<CostScanRecord?> LastScanAsync(CancellationToken cancellationToken = default) => Task.FromResult<CostScanRecord?>(null);
    }
}
