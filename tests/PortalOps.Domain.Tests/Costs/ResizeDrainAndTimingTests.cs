using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Fakes;

namespace PortalOps.Domain.Tests.Costs;

/// <summary>A resize drains a load-balanced instance the instance actions' way, and waits for a chosen time or a maintenance window.</summary>
public sealed class ResizeDrainAndTimingTests
{
    private readonly FakeTimeProvider clock = new(Make.Now);
    private readonly FakeInventory inventory = new([Make.Instance("i-web", type: "m5.xlarge", name: "web-01", tags: ["team=web"])]);
    private readonly List<string> steps = [];
    private readonly InMemoryWindowStore windows = new();
    private readonly InMemoryScheduledResizes schedule = new();
    private readonly ResizeExecutor executor;

    private static readonly InstanceRef Web = new(Make.ProdAccount, "eu-west-1", "i-web");

    public ResizeDrainAndTimingTests()
    {
        var world = new World(inventory, steps);
        executor = new ResizeExecutor(inventory, world, new NoResources(), world, clock, new RecordingDrain(steps), schedule, windows) { PollInterval = TimeSpan.Zero };
    }

    private Task<ActionExecution> ResizeAsync(Dictionary<string, string> parameters, Guid approval) =>
        executor.ExecuteAsync(ActionKind.ResizeInstances, [new ResolvedTarget(Web, "web-01", new Dictionary<string, string>())], parameters, approval.ToString("N"), CancellationToken.None);

    [Fact]
    public async Task Resize_Now_DrainsBeforeTheStop_AndRegistersAgainAfterTheStart()
    {
        var done = await ResizeAsync(new() { [ResizeParameters.InstanceType] = "m5.large" }, Guid.NewGuid());

        Assert.True(done.Succeeded, done.Summary);
        Assert.Equal(["drain Stop i-web", "Stop i-web", "type m5.large", "Start i-web", "restore Start i-web"], steps);
        Assert.Equal(("m5.large", InstanceState.Running), ((await inventory.FindAsync(Web))!.InstanceType, (await inventory.FindAsync(Web))!.State));
    }

    [Fact]
    public async Task Resize_AtAChosenTime_IsRecorded_AndRunsOnlyOnceTheTimeHasCome()
    {
        var approval = Guid.NewGuid();
        var at = Make.Now.AddHours(5);
        var runner = new ScheduledResizeRunner(schedule, inventory, windows, executor, new InMemoryAuditLog(clock), clock);

        var accepted = await ResizeAsync(new() { [ResizeParameters.InstanceType] = "m5.large", [ResizeParameters.When] = "at", [ResizeParameters.NotBefore] = at.ToString("O") }, approval);
        var early = await runner.RunDueAsync();
        clock.Advance(TimeSpan.FromHours(5));
        var due = await runner.RunDueAsync();
        var again = await runner.RunDueAsync();

        Assert.True(accepted.Succeeded, accepted.Summary);
        Assert.Contains("runs at " + at.ToString("yyyy-MM-dd HH:mm"), accepted.Summary, StringComparison.Ordinal);
        Assert.Equal(0, early);
        Assert.Equal(1, due);
        Assert.Equal(0, again); // claimed and done: a second run does nothing
        Assert.Equal("m5.large", (await inventory.FindAsync(Web))!.InstanceType);
        Assert.Equal(ScheduledResizeStatus.Done, (await schedule.FindAsync(approval))!.Status);
        Assert.Equal(1, steps.Count(s => s == "Stop i-web"));
    }

    [Fact]
    public async Task Resize_InAMaintenanceWindow_WaitsForAWindowCoveringTheInstance()
    {
        var approval = Guid.NewGuid();
        var runner = new ScheduledResizeRunner(schedule, inventory, windows, executor, new InMemoryAuditLog(clock), clock);
        var operatorActor = Make.Actor("olga", Role.Operator, "*/*");
        await windows.AddAsync(MaintenanceWindow.Create("other team", new RuleScope(ScopeKind.Tag, "team=db"), null, Make.Now.AddHours(1), Make.Now.AddHours(3), operatorActor, Make.Now));
        await windows.AddAsync(MaintenanceWindow.Create("web tuesday", new RuleScope(ScopeKind.Tag, "team=web"), null, Make.Now.AddHours(2), Make.Now.AddHours(4), operatorActor, Make.Now));

        var accepted = await ResizeAsync(new() { [ResizeParameters.InstanceType] = "m5.large", [ResizeParameters.When] = "window" }, approval);
        clock.Advance(TimeSpan.FromHours(1.5)); // only the other team's window is open
        var inOtherWindow = await runner.RunDueAsync();
        var stepsBeforeTheWindow = steps.ToList();
        clock.Advance(TimeSpan.FromHours(1)); // the web window is open
        var inWindow = await runner.RunDueAsync();

        Assert.Contains("in the next maintenance window", accepted.Summary, StringComparison.Ordinal);
        Assert.Empty(stepsBeforeTheWindow); // nothing stopped before its window
        Assert.Equal(0, inOtherWindow);
        Assert.Equal(1, inWindow);
        Assert.Equal("m5.large", (await inventory.FindAsync(Web))!.InstanceType);
    }

    [Fact]
    public async Task Resize_Scheduled_ToAnArmType_IsRefusedBeforeAnythingIsRecorded()
    {
        var approval = Guid.NewGuid();

        var refused = await ResizeAsync(new() { [ResizeParameters.InstanceType] = "m7g.large", [ResizeParameters.When] = "window" }, approval);

        Assert.False(refused.Succeeded);
        Assert.Contains("arm64", refused.Summary, StringComparison.Ordinal);
        Assert.Null(await schedule.FindAsync(approval));
        Assert.Empty(steps);
    }

    [Theory]
    [InlineData("at", null, "needs the time")]
    [InlineData("later", null, "not a timing")]
    [InlineData("at", "next tuesday", "not a time")]
    public async Task Resize_BadTiming_IsRefusedBeforeAnythingChanges(string when, string? notBefore, string expected)
    {
        var parameters = new Dictionary<string, string> { [ResizeParameters.InstanceType] = "m5.large", [ResizeParameters.When] = when };
        if (notBefore is not null)
        {
            parameters[ResizeParameters.NotBefore] = notBefore;
        }

        var refused = await ResizeAsync(parameters, Guid.NewGuid());

        Assert.False(refused.Succeeded);
        Assert.Contains(expected, refused.Summary, StringComparison.Ordinal);
        Assert.Empty(steps);
    }

    private sealed class World(FakeInventory inventory, List<string> steps) : ICompute, IResourceModifier
    {
        public Task<ComputeResult> ApplyAsync(InstanceAction action, IReadOnlyList<InstanceRef> targets, string idempotencyKey, CancellationToken cancellationToken = default)
        {
            foreach (var t in targets)
            {
                steps.Add($"{action} {t.InstanceId}");
                var i = inventory.FindAsync(t).Result!;
                inventory.Replace(i with { State = action == InstanceAction.Stop ? InstanceState.Stopped : InstanceState.Running });
            }

            return Task.FromResult(new ComputeResult(targets.Select(t => new TargetResult(t, true)).ToList(), "req-" + action));
        }

        public Task<string?> ChangeInstanceTypeAsync(InstanceRef instance, string instanceType, CancellationToken cancellationToken = default)
        {
            var i = inventory.FindAsync(instance).Result!;
            Assert.Equal(InstanceState.Stopped, i.State);
            steps.Add($"type {instanceType}");
            inventory.Replace(i with { InstanceType = instanceType });
            return Task.FromResult<string?>("req-modify");
        }

        public Task<string?> ChangeVolumeTypeAsync(CloudScope scope, string volumeId, string volumeType, CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);
    }

    private sealed class RecordingDrain(List<string> steps) : IInstanceDrain
    {
        public Task<DrainOutcome> DrainAsync(InstanceAction action, IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default)
        {
            steps.AddRange(instances.Select(i => $"drain {action} {i.InstanceId}"));
            return Task.FromResult(new DrainOutcome(instances.Count, "Drained.", []));
        }

        public Task<DrainOutcome> RestoreAsync(InstanceAction action, IReadOnlyList<InstanceRef> instances, DrainOutcome? drained, CancellationToken cancellationToken = default)
        {
            steps.AddRange(instances.Select(i => $"restore {action} {i.InstanceId}"));
            return Task.FromResult(new DrainOutcome(instances.Count, "Registered again.", []));
        }
    }

    private sealed class InMemoryScheduledResizes : IScheduledResizeStore
    {
        private readonly ConcurrentDictionary<Guid, ScheduledResize> rows = new();

        public Task AddAsync(ScheduledResize resize, CancellationToken cancellationToken = default)
        {
            rows.TryAdd(resize.ApprovalId, resize);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<ScheduledResize>> WaitingAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<ScheduledResize>>(rows.Values.Where(r => r.Status == ScheduledResizeStatus.Waiting).ToList());

        public Task<bool> TryClaimAsync(Guid approvalId, CancellationToken cancellationToken = default) =>
            Task.FromResult(rows.TryGetValue(approvalId, out var r) && r.Status == ScheduledResizeStatus.Waiting && rows.TryUpdate(approvalId, r with { Status = ScheduledResizeStatus.Running }, r));

        public Task CompleteAsync(Guid approvalId, bool succeeded, string summary, DateTimeOffset at, CancellationToken cancellationToken = default)
        {
            rows[approvalId] = rows[approvalId] with { Status = succeeded ? ScheduledResizeStatus.Done : ScheduledResizeStatus.Failed, Summary = summary, FinishedAt = at };
            return Task.CompletedTask;
        }

        public Task<ScheduledResize?> FindAsync(Guid approvalId, CancellationToken cancellationToken = default) => Task.FromResult(rows.GetValueOrDefault(approvalId));
    }

    private sealed class NoResources : ICloudResources
    {
        public Task<IReadOnlyList<VolumeInfo>> VolumesAsync(CloudScope scope, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<VolumeInfo>>([]);

        public Task<IReadOnlyList<SnapshotInfo>> SnapshotsAsync(CloudScope scope, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<SnapshotInfo>>([]);

        public Task<IReadOnlyList<ImageInfo>> ImagesAsync(CloudScope scope, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<ImageInfo>>([]);

        public Task<IReadOnlyList<SecurityGroupInfo>> SecurityGroupsAsync(CloudScope scope, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<SecurityGroupInfo>>([]);

        public Task<IReadOnlyList<SubnetInfo>> SubnetsAsync(CloudScope scope, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<SubnetInfo>>([]);

        public Task<IReadOnlyList<KeyPairInfo>> KeyPairsAsync(CloudScope scope, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<KeyPairInfo>>([]);

        public Task<IReadOnlyList<AvailabilityZoneInfo>> AvailabilityZonesAsync(CloudScope scope, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<AvailabilityZoneInfo>>([]);

        public Task<IReadOnlyList<InstanceTypeOffering>> InstanceTypeOfferingsAsync(CloudScope scope, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<InstanceTypeOffering>>([]);

        public Task<IReadOnlyList<SpotPrice>> SpotPriceHistoryAsync(CloudScope scope, IReadOnlyList<string> instanceTypes, DateTimeOffset since, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<SpotPrice>>([]);
    }
}
