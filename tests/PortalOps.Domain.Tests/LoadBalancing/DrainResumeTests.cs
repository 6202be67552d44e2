using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.LoadBalancing;
using PortalOps.Domain.Tests.Fakes;

namespace PortalOps.Domain.Tests.LoadBalancing;

public sealed class DrainResumeTests
{
    private static readonly CloudScope Scope = new(Make.ProdAccount, "eu-west-1");
    private const string Web1 = "i-0aaaaaaaaaaaaaaa1";

    private readonly FakeTimeProvider clock = new(Make.Now);
    private readonly ConcurrentQueue<string> log = new();
    private readonly FakeLoadBalancing elb;
    private readonly InMemoryDrainedRegistrations remembered;
    private readonly string web;

    public DrainResumeTests()
    {
        elb = new FakeLoadBalancing(clock, log);
        remembered = new InMemoryDrainedRegistrations(clock);
        web = elb.AddGroup(Scope, "web", TimeSpan.FromSeconds(30), null, "prod-web", (Web1, TargetHealthState.Healthy));
    }

    private static InstanceRef Ref => new(Scope.AccountId, Scope.Region, Web1);

    [Fact]
    public async Task Resume_InstanceRunningAgainAfterARestartLostTheReboot_RegistersItAgainAndAuditsTheRequestId()
    {
        // A reboot drained the instance; the node died before registering it again. A new node has only what was persisted.
        await remembered.SaveAsync([new DrainedRegistration(Ref, web, "web", 80)]);
        await elb.DeregisterAsync(Scope, web, [new TargetRef(Web1, 80)]);
        clock.Advance(TimeSpan.FromMinutes(30));
        var audit = new InMemoryAuditLog(clock);
        var resume = Resume(InstanceState.Running, audit);

        var registered = await resume.ResumeAsync();

        Assert.Equal(1, registered);
        Assert.Contains($"RegisterTargets:{Web1}", log);
        Assert.Equal(TargetHealthState.Initial, elb.Group(web).Find(Web1)!.State);
        var record = Assert.Single(audit.Events, e => e.Action == "loadbalancing.register-again");
        Assert.Equal(AuditOutcome.Succeeded, record.Outcome);
        Assert.StartsWith("elb-req-", record.AwsRequestId, StringComparison.Ordinal);
        Assert.Empty(await remembered.ListAsync());
    }

    [Fact]
    public async Task Resume_StoppedInstance_KeepsItsRegistrationsForTheNextStart()
    {
        await remembered.SaveAsync([new DrainedRegistration(Ref, web, "web", 80)]);
        clock.Advance(TimeSpan.FromMinutes(30));

        Assert.Equal(0, await Resume(InstanceState.Stopped, new InMemoryAuditLog(clock)).ResumeAsync());

        Assert.DoesNotContain(log, c => c.StartsWith("RegisterTargets", StringComparison.Ordinal));
        Assert.Single(await remembered.ListAsync());
    }

    [Fact]
    public async Task Resume_DrainStillInItsWindow_IsLeftToTheActionThatDrained()
    {
        await remembered.SaveAsync([new DrainedRegistration(Ref, web, "web", 80)]);
        clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(0, await Resume(InstanceState.Running, new InMemoryAuditLog(clock)).ResumeAsync());
        Assert.Single(await remembered.ListAsync());
    }

    [Fact]
    public async Task Resume_TerminatedInstance_ForgetsItsRegistrations()
    {
        await remembered.SaveAsync([new DrainedRegistration(Ref, web, "web", 80)]);
        clock.Advance(TimeSpan.FromMinutes(30));

        await Resume(InstanceState.Terminated, new InMemoryAuditLog(clock)).ResumeAsync();

        Assert.Empty(await remembered.ListAsync());
        Assert.DoesNotContain(log, c => c.StartsWith("RegisterTargets", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Drain_ReportsProgressToWatchersOfTheInstance_AndTheOutcomeLast()
    {
        var feed = new DrainProgressFeed(clock);
        var heard = new ConcurrentQueue<DrainProgress>();
        using var watching = feed.Watch([Ref], p =>
        {
            heard.Enqueue(p);
            return Task.CompletedTask;
        });
        var executor = new InstanceActionExecutor(new LoggingCompute(log), new TargetDrainer(elb, remembered, new LoadBalancingSettings(), clock, feed));

        var task = executor.ExecuteAsync(ActionKind.StopInstances, [new ResolvedTarget(Ref, "web-1", new Dictionary<string, string>())], new Dictionary<string, string>(), "k-feed", CancellationToken.None);
        for (var i = 0; i < 120 && !task.IsCompleted; i++)
        {
            await Task.Delay(15);
            if (!task.IsCompleted)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
            }
        }

        await task;
        var reports = heard.ToList();
        Assert.True(reports.Count >= 3, string.Join(" | ", reports.Select(r => r.Describe())));
        Assert.Contains(reports, r => !r.Done && r.StillDraining == 1 && r.Describe().Contains("still draining", StringComparison.Ordinal));
        Assert.True(reports[^1].Done);
        Assert.StartsWith("Drained from web", reports[^1].Describe(), StringComparison.Ordinal);
    }

    private DrainResume Resume(InstanceState state, InMemoryAuditLog audit)
    {
        var drainer = new TargetDrainer(elb, remembered, new LoadBalancingSettings(), clock);
        return new DrainResume(remembered, new FakeInventory([Make.Instance(Web1, state: state)]), drainer, audit, new LoadBalancingSettings(), clock);
    }
}
