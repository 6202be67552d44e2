using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>
/// The scope matrix in Telegram: a person scoped to one region and one tag (<c>000000000000/eu-west-1/env=dev</c>) against every
/// command that shows resources, through the real client and a loopback Bot API. Nothing outside the scope appears; an Admin sees it.
/// </summary>
public sealed class ScopeMatrixTests : IAsyncLifetime
{
    private const string Scope = "000000000000/eu-west-1/env=dev";

    private BotHarness _bot = null!;
    private Instance _inside = null!;
    private Instance _otherRegion = null!;
    private Instance _otherTag = null!;

    public async Task InitializeAsync()
    {
        _bot = await BotHarness.StartAsync();
        var fleet = (await _bot.Cloud.QueryAsync(new InstanceQuery { State = InstanceState.Running, PageSize = InstanceQuery.MaxPageSize })).Items;
        _inside = fleet.First(i => i.Region == "eu-west-1" && i.Tags.GetValueOrDefault("env") == "dev");
        _otherRegion = fleet.First(i => i.Region == "us-east-1" && i.Tags.GetValueOrDefault("env") == "dev");
        _otherTag = fleet.First(i => i.Region == "eu-west-1" && i.Tags.GetValueOrDefault("env") == "prod");
    }

    public async Task DisposeAsync() => await _bot.DisposeAsync();

    private IEnumerable<Instance> Outside => [_otherRegion, _otherTag];

    [Fact]
    public async Task Instances_ScopedViewer_ListsOnlyInScope_AdminListsMore()
    {
        var viewer = await _bot.LinkAsync(await _bot.AddUserAsync("scoped", Role.Viewer, Scope), 301);
        var admin = await _bot.LinkAsync(await _bot.AddUserAsync("root", Role.Admin), 302);
        var expected = (await _bot.Cloud.QueryAsync(new InstanceQuery { VisibleTo = [Domain.Security.Scope.Parse(Scope)] })).TotalCount;

        var mine = await _bot.AskAsync(viewer, "/instances", $"of {expected}");
        var all = await _bot.AskAsync(admin, "/instances", "Instances");

        Assert.DoesNotContain("us-east-1", mine.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("prod-", mine.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("staging-", mine.Text, StringComparison.Ordinal);
        Assert.EndsWith($" of {expected}</b>", mine.Text.Split('\n')[0].Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain($" of {expected}</b>", all.Text.Split('\n')[0], StringComparison.Ordinal);
        await _bot.AskAsync(viewer, "/instances prod", "No instances");
        await _bot.AskAsync(admin, "/instances prod", "prod-");
    }

    [Fact]
    public async Task Instance_ScopedViewer_OutsideReadsAsNotFound_InsideShown()
    {
        var viewer = await _bot.LinkAsync(await _bot.AddUserAsync("scoped", Role.Viewer, Scope), 303);

        foreach (var outside in Outside)
        {
            var reply = await _bot.AskAsync(viewer, $"/instance {outside.InstanceId}", "No instance is called");
            Assert.DoesNotContain(outside.Name, reply.Text, StringComparison.Ordinal);
        }

        var shown = await _bot.AskAsync(viewer, $"/instance {_inside.InstanceId}", _inside.InstanceId);
        Assert.Contains(_inside.Name, shown.Text, StringComparison.Ordinal);
        var refusals = await _bot.AuditAsync("telegram.instance.view");
        Assert.Equal(2, refusals.Count(r => r.Event is { ActorName: "scoped", Outcome: AuditOutcome.Denied }));
    }

    [Fact]
    public async Task Alerts_ScopedViewer_ListsOnlyInScope_AdminListsAll()
    {
        var owner = await _bot.AddUserAsync("owner", Role.Admin);
        var alerts = _bot.Services.GetRequiredService<IAlertStore>();
        var rules = _bot.Services.GetRequiredService<IAlertRuleStore>();
        foreach (var instance in new[] { _inside, _otherRegion, _otherTag })
        {
            var rule = new AlertRuleDraft { Name = $"cpu-{instance.InstanceId}", Threshold = 80, ScopeKind = ScopeKind.Account, ScopeValue = "*" }
                .ToRule(Guid.NewGuid(), owner, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
            await rules.SaveAsync(rule);
            await alerts.AddAsync(Alert.Open(rule, [new AlertMember(instance.Ref, instance.Name, DateTimeOffset.UtcNow, 95, "CPU 95 %") { Tags = instance.Tags }], DateTimeOffset.UtcNow));
        }

        var viewer = await _bot.LinkAsync(await _bot.AddUserAsync("scoped", Role.Viewer, Scope), 304);
        var admin = await _bot.LinkAsync(await _bot.AddUserAsync("root", Role.Admin), 305);

        var mine = await _bot.AskAsync(viewer, "/alerts", "open alert(s)");
        var all = await _bot.AskAsync(admin, "/alerts", "open alert(s)");

        Assert.Contains("1 open alert(s)", mine.Text, StringComparison.Ordinal);
        Assert.Contains($"cpu-{_inside.InstanceId}", mine.Text, StringComparison.Ordinal);
        Assert.All(Outside, o => Assert.DoesNotContain($"cpu-{o.InstanceId}", mine.Text, StringComparison.Ordinal));
        Assert.Contains("3 open alert(s)", all.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approvals_ScopedApprover_SeesOnlyInScopeRequests_AdminSeesAll()
    {
        var requester = await _bot.AddUserAsync("asker", Role.Operator);
        var store = _bot.Services.GetRequiredService<IApprovalStore>();
        foreach (var instance in new[] { _inside, _otherRegion, _otherTag })
        {
            await store.AddAsync(new ApprovalRequest(Guid.NewGuid(), ActionKind.TerminateInstances, [new ResolvedTarget(instance.Ref, instance.Name, instance.Tags)],
                new Dictionary<string, string>(), requester.AsActor(Channel.Web), "Terminate needs approval", null, DateTimeOffset.UtcNow, TimeSpan.FromHours(4)));
        }

        var approver = await _bot.LinkAsync(await _bot.AddUserAsync("scoped", Role.Approver, Scope), 306);
        var admin = await _bot.LinkAsync(await _bot.AddUserAsync("root", Role.Admin), 307);

        await _bot.AskAsync(approver, "/approvals", "1 request(s) wait for you");
        await _bot.Api.WaitForMessageAsync(306, m => m.Text.Contains(_inside.InstanceId, StringComparison.Ordinal), "the request in scope");
        await _bot.AskAsync(admin, "/approvals", "3 request(s) wait for you");

        var seen = string.Join('\n', _bot.Api.MessagesIn(306).Select(m => m.Text));
        Assert.All(Outside, o => Assert.DoesNotContain(o.InstanceId, seen, StringComparison.Ordinal));
    }
}
