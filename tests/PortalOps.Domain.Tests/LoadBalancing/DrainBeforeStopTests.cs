using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;
using PortalOps.Domain.LoadBalancing;
using PortalOps.Domain.Tests.Fakes;

namespace PortalOps.Domain.Tests.LoadBalancing;

public sealed class DrainBeforeStopTests
{
    private static readonly CloudScope Scope = new(Make.ProdAccount, "eu-west-1");
    private const string Web1 = "i-0aaaaaaaaaaaaaaa1";
    private const string Web2 = "i-0aaaaaaaaaaaaaaa2";

    private readonly FakeTimeProvider clock = new(Make.Now);
    private readonly ConcurrentQueue<string> log = new();
    private readonly FakeLoadBalancing elb;
    private readonly InMemoryDrainedRegistrations remembered = new();
    private readonly TargetDrainer drainer;
    private readonly InstanceActionExecutor executor;
    private readonly string web;

    public DrainBeforeStopTests()
    {
        elb = new FakeLoadBalancing(clock, log);
        web = elb.AddGroup(Scope, "web", TimeSpan.FromSeconds(30), null, "prod-web", (Web1, TargetHealthState.Healthy), (Web2, TargetHealthState.Healthy));
        drainer = new TargetDrainer(elb, remembered, new LoadBalancingSettings { DrainPollInterval = TimeSpan.FromSeconds(5) }, clock);
        executor = new InstanceActionExecutor(new LoggingCompute(log), drainer);
    }

    [Fact]
    public async Task Stop_RegisteredInstance_DeregistersWaitsOutTheDrainThenStops()
    {
        var execution = await RunAsync(ActionKind.StopInstances, Web1);

        Assert.True(execution.Succeeded, execution.Summary);
        var calls = log.ToList();
        var deregister = calls.IndexOf($"DeregisterTargets:{Web1}");
        var stop = calls.IndexOf($"StopInstances:{Web1}");
        Assert.True(deregister >= 0 && stop > deregister, string.Join(" → ", calls));
        Assert.Contains(calls.Skip(deregister).Take(stop - deregister), c => c == "DescribeTargetHealth");
        Assert.DoesNotContain(calls, c => c.StartsWith("DeregisterTargets:" + Web2, StringComparison.Ordinal));
        // Timed from the deregistration on the fake clock (the clock may move before the drain starts on a busy machine).
        Assert.Contains("Drained from web in 30 s", execution.Summary, StringComparison.Ordinal);
        Assert.Equal(TargetHealthState.Healthy, elb.Group(web).Find(Web2)!.State);
    }

    [Fact]
    public async Task Stop_ThenStart_RegistersTheInstanceAgainWhereItWas()
    {
        await RunAsync(ActionKind.StopInstances, Web1);
        Assert.Null(elb.Group(web).Find(Web1));

        var start = await RunAsync(ActionKind.StartInstances, Web1);

        Assert.Contains($"RegisterTargets:{Web1}", log);
        Assert.Equal(TargetHealthState.Initial, elb.Group(web).Find(Web1)!.State);
        Assert.Contains("Registered again in web", start.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reboot_DrainsRebootsAndRegistersAgainRightAfter()
    {
        var execution = await RunAsync(ActionKind.RebootInstances, Web1);

        var calls = log.ToList();
        Assert.True(calls.IndexOf($"DeregisterTargets:{Web1}") < calls.IndexOf($"RebootInstances:{Web1}"));
        Assert.True(calls.IndexOf($"RebootInstances:{Web1}") < calls.IndexOf($"RegisterTargets:{Web1}"));
        Assert.Contains("Registered again", execution.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reboot_AuditsEveryAwsRequest_TheDeregistrationTheRebootAndTheRegistration()
    {
        var execution = await RunAsync(ActionKind.RebootInstances, Web1);

        var ids = (execution.RequestId ?? "").Split(',');
        Assert.Equal(3, ids.Length);
        Assert.StartsWith("elb-req-", ids[0], StringComparison.Ordinal);
        Assert.Equal("ec2-req-1", ids[1]);
        Assert.StartsWith("elb-req-", ids[2], StringComparison.Ordinal);
        Assert.NotEqual(ids[0], ids[2]);
    }

    [Fact]
    public async Task Terminate_DrainsButIsNeverRegisteredAgain()
    {
        await RunAsync(ActionKind.TerminateInstances, Web1);

        Assert.Empty(await remembered.TakeAsync([new InstanceRef(Scope.AccountId, Scope.Region, Web1)]));
        Assert.DoesNotContain(log, c => c.StartsWith("RegisterTargets", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stop_DrainThatNeverEnds_ActsWhenTheDelayIsUp()
    {
        elb.NeverDrains = true;

        var execution = await RunAsync(ActionKind.StopInstances, Web1);

        Assert.Contains($"StopInstances:{Web1}", log);
        Assert.Contains("still draining after 30 s (bound 30 s)", execution.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_InstanceInNoTargetGroup_StopsAtOnceWithoutDeregistering()
    {
        var execution = await RunAsync(ActionKind.StopInstances, "i-0bbbbbbbbbbbbbbb1");

        Assert.True(execution.Succeeded);
        Assert.DoesNotContain(log, c => c.StartsWith("DeregisterTargets", StringComparison.Ordinal));
        Assert.DoesNotContain("Drain", execution.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drain_WaitsWithTimersNotAThread_TheStopIsNotSentBeforeTheDelay()
    {
        var task = executor.ExecuteAsync(ActionKind.StopInstances, [Target(Web1)], new Dictionary<string, string>(), "k", CancellationToken.None);
        await Task.Delay(50);

        Assert.False(task.IsCompleted);
        Assert.DoesNotContain($"StopInstances:{Web1}", log);
        clock.Advance(TimeSpan.FromSeconds(31));
        await WaitAsync(task);
        Assert.Contains($"StopInstances:{Web1}", log);
    }

    [Fact]
    public async Task Stop_WithARecentReadOfTheScope_AsksOnlyTheCandidateGroupsAboutTheInstance()
    {
        var reads = new LoadBalancingReads(new OneScope(), elb, new LoadBalancingSettings(), clock);
        await reads.ViewAsync(Scope);
        var indexed = new InstanceActionExecutor(new LoggingCompute(log), new TargetDrainer(elb, remembered, new LoadBalancingSettings(), clock, reads: reads));
        log.Clear();

        var execution = await WaitAsync(indexed.ExecuteAsync(ActionKind.StopInstances, [Target(Web1)], new Dictionary<string, string>(), "k2", CancellationToken.None));

        Assert.True(execution.Succeeded, execution.Summary);
        Assert.DoesNotContain("DescribeTargetGroups", log);
        Assert.Equal("DescribeTargetHealth", log.First());
        Assert.Contains($"DeregisterTargets:{Web1}", log);
        Assert.Equal($"StopInstances:{Web1}", log.Last());
    }

    [Fact]
    public async Task Stop_PollIntervalLongerThanWhatIsLeft_LooksAgainExactlyWhenTheDelayIsUp()
    {
        var slow = new InstanceActionExecutor(new LoggingCompute(log), new TargetDrainer(elb, remembered, new LoadBalancingSettings { DrainPollInterval = TimeSpan.FromSeconds(7) }, clock));

        var execution = await WaitAsync(slow.ExecuteAsync(ActionKind.StopInstances, [Target(Web1)], new Dictionary<string, string>(), "k-poll", CancellationToken.None));

        // Looks at 7, 14, 21 and 28 s, then at 30 s when the delay is up — not at 35 s.
        Assert.Contains("Drained from web in 30 s", execution.Summary, StringComparison.Ordinal);
        var calls = log.ToList();
        var deregister = calls.IndexOf($"DeregisterTargets:{Web1}");
        Assert.Equal(5, calls.Skip(deregister).Count(c => c == "DescribeTargetHealth"));
    }

    [Fact]
    public async Task Stop_AfterARestartWithARecentPersistedIndex_AsksOnlyTheIndexedGroups()
    {
        var index = new InMemoryRegistrationIndex();
        await index.RecordAsync(new RegistrationIndexSnapshot(Scope, clock.GetUtcNow().AddSeconds(-60), [new IndexedRegistration(web, "web", Web1, 80)]));
        var restarted = new InstanceActionExecutor(new LoggingCompute(log), new TargetDrainer(elb, remembered, new LoadBalancingSettings(), clock, index: index));

        var execution = await WaitAsync(restarted.ExecuteAsync(ActionKind.StopInstances, [Target(Web1)], new Dictionary<string, string>(), "k-idx", CancellationToken.None));

        Assert.True(execution.Succeeded, execution.Summary);
        Assert.DoesNotContain("DescribeTargetGroups", log);
        Assert.Equal("DescribeTargetHealth", log.First());
        Assert.Equal($"StopInstances:{Web1}", log.Last());
    }

    [Fact]
    public async Task Stop_WithAnOldIndex_DrainsTheIndexedGroupAtOnceAndFindsTheOthersWhileItDrains()
    {
        var api = elb.AddGroup(Scope, "api", TimeSpan.FromSeconds(20), null, "prod-api", (Web1, TargetHealthState.Healthy));
        var index = new InMemoryRegistrationIndex();
        await index.RecordAsync(new RegistrationIndexSnapshot(Scope, clock.GetUtcNow().AddHours(-3), [new IndexedRegistration(web, "web", Web1, 80)]));
        var stale = new InstanceActionExecutor(new LoggingCompute(log), new TargetDrainer(elb, remembered, new LoadBalancingSettings(), clock, index: index));

        var execution = await WaitAsync(stale.ExecuteAsync(ActionKind.StopInstances, [Target(Web1)], new Dictionary<string, string>(), "k-old", CancellationToken.None));

        var calls = log.ToList();
        Assert.Equal(2, calls.Count(c => c == $"DeregisterTargets:{Web1}"));
        Assert.Contains("DescribeTargetGroups", calls);
        Assert.Equal($"StopInstances:{Web1}", calls.Last());
        Assert.Null(elb.Group(api).Find(Web1));
        Assert.Contains("web, api", execution.Summary, StringComparison.Ordinal);
        // Both drained side by side: the longest delay, not the sum.
        Assert.Contains("in 30 s (deregistration delay 30 s)", execution.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_DeregisteringFailsInOneGroup_NothingIsStoppedAndTheOtherGroupGetsTheInstanceBack()
    {
        var api = elb.AddGroup(Scope, "api", TimeSpan.FromSeconds(20), null, "prod-api", (Web1, TargetHealthState.Healthy));
        elb.FailDeregistering = api;

        var execution = await RunAsync(ActionKind.StopInstances, Web1);

        Assert.False(execution.Succeeded);
        Assert.DoesNotContain($"StopInstances:{Web1}", log);
        Assert.Contains($"RegisterTargets:{Web1}", log);
        Assert.NotNull(elb.Group(web).Find(Web1));
        Assert.Empty(await remembered.TakeAsync([new InstanceRef(Scope.AccountId, Scope.Region, Web1)]));
    }

    [Fact]
    public async Task Stop_NoIndex_DeregistersFromAGroupOfTheFirstListingPageBeforeTheNextPageArrives()
    {
        // Groups are listed two a page without health; the instance is in "web" (first page); the second page is held.
        for (var i = 0; i < 3; i++)
        {
            elb.AddGroup(Scope, $"other-{i}", TimeSpan.FromSeconds(30), null, null, ("i-0bbbbbbbbbbbbbbb" + i, TargetHealthState.Healthy));
        }

        var deregisteredWhileHeld = false;
        elb.ListPageSize = 2;
        elb.BeforePage = async page =>
        {
            if (page == 1)
            {
                var deadline = DateTime.UtcNow.AddSeconds(10);
                while (!log.Contains($"DeregisterTargets:{Web1}") && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(10);
                }

                deregisteredWhileHeld = log.Contains($"DeregisterTargets:{Web1}");
            }
        };

        var execution = await RunAsync(ActionKind.StopInstances, Web1);

        Assert.True(execution.Succeeded, execution.Summary);
        Assert.True(deregisteredWhileHeld, string.Join(" → ", log));
        var calls = log.ToList();
        Assert.Equal(2, calls.Count(c => c == "DescribeTargetGroups"));
        Assert.True(calls.IndexOf($"DeregisterTargets:{Web1}") < calls.LastIndexOf("DescribeTargetGroups"), string.Join(" → ", calls));
        Assert.True(calls.IndexOf($"DeregisterTargets:{Web1}") < calls.IndexOf($"StopInstances:{Web1}"));
        Assert.Single(calls, c => c.StartsWith("DeregisterTargets:", StringComparison.Ordinal));
    }

    private sealed class OneScope : Accounts.ICloudProvider
    {
        public string Name => "Test";

        public bool IsSandbox => false;

        public IReadOnlyList<Accounts.CloudAccount> Accounts => [new(Scope.AccountId, "prod", [Scope.Region])];
    }

    private static ResolvedTarget Target(string id) => new(new InstanceRef(Scope.AccountId, Scope.Region, id), id, new Dictionary<string, string>());

    private async Task<ActionExecution> RunAsync(ActionKind kind, string id)
    {
        var task = executor.ExecuteAsync(kind, [Target(id)], new Dictionary<string, string>(), Guid.NewGuid().ToString("N"), CancellationToken.None);
        return await WaitAsync(task);
    }

    /// <summary>Moves the fake clock a second at a time until the action is done (at most ten minutes of fake time).</summary>
    private async Task<T> WaitAsync<T>(Task<T> task)
    {
        for (var i = 0; i < 600 && !task.IsCompleted; i++)
        {
            // Long enough for the drain's continuations to reach their next timer on a busy machine before the clock moves.
            await Task.Delay(15);
            if (!task.IsCompleted)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
            }
        }

        return await task;
    }
}
