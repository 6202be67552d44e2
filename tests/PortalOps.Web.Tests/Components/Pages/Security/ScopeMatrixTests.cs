using Bunit;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Jobs;
using PortalOps.Jobs.Persistence;
using PortalOps.Web.Components.Pages;
using PortalOps.Web.Components.Pages.Approvals;
using PortalOps.Web.Components.Pages.Instances;
using PortalOps.Web.Components.Pages.Instances.Detail;
using PortalOps.Web.Components.Pages.Instances.Leftovers;
using PortalOps.Web.Components.Pages.Monitoring;
using ApprovalsPage = PortalOps.Web.Components.Pages.Approvals.Approvals;
using AuditPage = PortalOps.Web.Components.Pages.Audit.Audit;
using InstancesPage = PortalOps.Web.Components.Pages.Instances.Instances;

namespace PortalOps.Web.Tests.Components.Pages.Security;

/// <summary>
/// The scope matrix on the web: a Viewer scoped to one region and one tag (<c>000000000000/eu-west-1/env=dev</c>) against every page
/// that shows resources, over the Sandbox fleet and the real database stores (SQLite), so the filtering is the stores' own.
/// Nothing outside the scope appears; someone whose scope covers a resource (an Admin with */*) does see it.
/// </summary>
public sealed class ScopeMatrixTests : SandboxPortalTestContext
{
    private const string ViewerScope = "000000000000/eu-west-1/env=dev";

    private readonly string _dataDirectory = System.IO.Directory.CreateTempSubdirectory("portalops-scope-matrix-").FullName;
    private readonly Instance _inside;
    private readonly Instance _otherRegion;
    private readonly Instance _otherTag;
    private readonly PortalUser _admin;

    public ScopeMatrixTests()
    {
        var database = PortalDatabase.Sqlite(_dataDirectory);
        var contexts = new PortalDbContextFactory(database);
        using (var migrator = new ServiceCollection().AddSingleton(database).AddSingleton<IDbContextFactory<PortalDbContext>>(contexts).BuildServiceProvider())
        {
            migrator.MigrateDatabaseAsync().GetAwaiter().GetResult();
        }

        Services.AddSingleton<IDbContextFactory<PortalDbContext>>(contexts);
        Services.AddSingleton<IAuditLog>(new EfAuditLog(contexts, Clock, new AuditKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(AuditKey.MinimumLength))));
        Services.AddSingleton<IApprovalStore>(new EfApprovalStore(contexts));
        Services.AddSingleton<IAlertStore>(new EfAlertStore(contexts));
        Services.AddSingleton<IAlertRuleStore>(new EfAlertRuleStore(contexts));
        Services.AddSingleton<IMetricStore>(new EfMetricStore(contexts));
        Services.AddSingleton<IMaintenanceWindowStore>(new EfMaintenanceWindowStore(contexts));
        Services.AddScoped<AlertOperations>();
        Services.AddScoped<MaintenanceWindows>();

        var live = FleetAsync().GetAwaiter().GetResult().Where(i => i.State != InstanceState.Terminated).ToList();
        _inside = live.First(i => i.Region == "eu-west-1" && i.Tags.GetValueOrDefault("env") == "dev");
        _otherRegion = live.First(i => i.Region == "us-east-1");
        _otherTag = live.First(i => i.Region == "eu-west-1" && i.Tags.GetValueOrDefault("env") == "prod");
        _admin = AddUser("root", Role.Admin);
        SeedAsync().GetAwaiter().GetResult();
    }

    private IAuditLog Audit => Services.GetRequiredService<IAuditLog>();

    private IReadOnlyList<Instance> Outside => [_otherRegion, _otherTag];

    private async Task SeedAsync()
    {
        // Audit: an action on each instance (through the pipeline, so the records carry where their targets lie) and a system record.
        var pipeline = Services.GetRequiredService<ActionPipeline>();
        foreach (var instance in new[] { _inside, _otherRegion, _otherTag })
        {
            await pipeline.SubmitAsync(_admin.AsActor(Channel.Web), new ActionRequest(ActionKind.RebootInstances, [instance.Ref]));
        }

        await Audit.AppendAsync(new AuditEvent("system", null, Channel.System, "auth.login", "user:ghost", AuditOutcome.Denied, "system-only-record"));

        // Approvals: one pending and one decided request per instance.
        var approvals = Services.GetRequiredService<IApprovalStore>();
        var requester = AddUser("requester", Role.Operator);
        foreach (var instance in new[] { _inside, _otherRegion, _otherTag })
        {
            var target = new ResolvedTarget(instance.Ref, instance.Name, instance.Tags);
            await approvals.AddAsync(new ApprovalRequest(Guid.NewGuid(), ActionKind.TerminateInstances, [target], new Dictionary<string, string>(),
                requester.AsActor(Channel.Web), "Terminate needs approval", null, Clock.GetUtcNow(), TimeSpan.FromHours(4)));
            var decided = new ApprovalRequest(Guid.NewGuid(), ActionKind.StopInstances, [target], new Dictionary<string, string>(),
                requester.AsActor(Channel.Web), "Stop needs approval", null, Clock.GetUtcNow(), TimeSpan.FromHours(4));
            decided.Deny(_admin.AsActor(Channel.Web), "not now", Clock.GetUtcNow());
            await approvals.AddAsync(decided);
        }

        // Alerts: one per instance, each from its own rule; health rows for each instance.
        var rules = Services.GetRequiredService<IAlertRuleStore>();
        var alerts = Services.GetRequiredService<IAlertStore>();
        var health = new List<InstanceHealth>();
        foreach (var instance in new[] { _inside, _otherRegion, _otherTag })
        {
            var rule = new AlertRuleDraft { Name = $"cpu-{instance.InstanceId}", Threshold = 80, ScopeKind = ScopeKind.Account, ScopeValue = "*" }
                .ToRule(Guid.NewGuid(), _admin, Clock.GetUtcNow(), TimeSpan.FromMinutes(5));
            await rules.SaveAsync(rule);
            await alerts.AddAsync(Alert.Open(rule, [new AlertMember(instance.Ref, instance.Name, Clock.GetUtcNow(), 95, "CPU 95 %") { Tags = instance.Tags }], Clock.GetUtcNow()));
            health.Add(new InstanceHealth(instance.Ref, instance.Name, 95, 1, 1, false, CheckStatus.Ok, CheckStatus.Ok, Clock.GetUtcNow()) { Tags = instance.Tags });
        }

        await Services.GetRequiredService<IMetricStore>().SaveHealthAsync(health);

        // Maintenance windows: on each instance, and one on every prod instance anywhere.
        var windows = Services.GetRequiredService<IMaintenanceWindowStore>();
        foreach (var instance in new[] { _inside, _otherRegion, _otherTag })
        {
            await windows.AddAsync(MaintenanceWindow.Create($"window-{instance.InstanceId}", new RuleScope(ScopeKind.Instance, instance.InstanceId), null,
                Clock.GetUtcNow(), Clock.GetUtcNow().AddHours(1), _admin.AsActor(Channel.Web), Clock.GetUtcNow()));
        }

        await windows.AddAsync(MaintenanceWindow.Create("window-all-prod", new RuleScope(ScopeKind.Tag, "env=prod"), null,
            Clock.GetUtcNow(), Clock.GetUtcNow().AddHours(1), _admin.AsActor(Channel.Web), Clock.GetUtcNow()));
    }

    private void SignInViewer() => SignIn("scoped-viewer", Role.Viewer, Scope.Parse(ViewerScope));

    private void AssertAll(string markup)
    {
        foreach (var instance in new[] { _inside, _otherRegion, _otherTag })
        {
            Assert.Contains(instance.InstanceId, markup, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Dashboard_ScopedViewer_CountsAndListsOnlyInScope()
    {
        SignInViewer();
        var expected = (await Sandbox.QueryAsync(new InstanceQuery { VisibleTo = [Scope.Parse(ViewerScope)], PageSize = InstanceQuery.MaxPageSize })).Items
            .Count(i => i.State != InstanceState.Terminated);
        var all = (await Sandbox.SummarizeAsync()).Live;

        var page = RenderPage<Dashboard>();

        page.WaitForAssertion(() => Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), page.Find("[data-testid=total-instances]").TextContent.Trim()));
        Assert.True(expected < all, "the scope must leave some of the fleet out for this test to mean anything");
        Assert.DoesNotContain("us-east-1", page.Find("[data-testid=card-regions]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Pending approvals (1)", page.Find("[data-testid=card-approvals]").TextContent, StringComparison.Ordinal);
        Assert.Contains(_inside.InstanceId, page.Find("[data-testid=card-approvals]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("auth.login", page.Find("[data-testid=card-audit]").TextContent, StringComparison.Ordinal);
        Assert.Contains("instances.reboot", page.Find("[data-testid=card-audit]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_Admin_CountsTheWholeFleet()
    {
        SignIn(_admin);
        var all = (await Sandbox.SummarizeAsync()).Live;

        var page = RenderPage<Dashboard>();

        page.WaitForAssertion(() => Assert.Equal(all.ToString(System.Globalization.CultureInfo.InvariantCulture), page.Find("[data-testid=total-instances]").TextContent.Trim()));
        Assert.Contains("us-east-1", page.Find("[data-testid=card-regions]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Pending approvals (3)", page.Find("[data-testid=card-approvals]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Instances_ScopedViewer_ListsOnlyInScope()
    {
        SignInViewer();

        var page = RenderPage<InstancesPage>();

        page.WaitForAssertion(() => Assert.Contains(_inside.InstanceId, page.Markup, StringComparison.Ordinal));
        foreach (var outside in Outside)
        {
            Assert.DoesNotContain(outside.InstanceId, page.Markup, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task InstanceDetail_OutOfScopeByDirectUrl_NotFoundLikeAMissingOne_AndTheRefusalIsAudited()
    {
        var viewer = SignIn("scoped-viewer", Role.Viewer, Scope.Parse(ViewerScope));

        var page = RenderPage<InstanceDetail>(p => p
            .Add(x => x.AccountId, _otherTag.AccountId).Add(x => x.Region, _otherTag.Region).Add(x => x.InstanceId, _otherTag.InstanceId));

        page.WaitForElement("[data-testid=instance-not-found]");
        Assert.DoesNotContain(_otherTag.Name, page.Markup, StringComparison.Ordinal);
        Assert.Empty(page.Instance.Trail);
        var refusals = (await Audit.QueryAsync(new AuditQuery { Action = "instance.view" })).Items;
        var refusal = Assert.Single(refusals);
        Assert.Equal(AuditOutcome.Denied, refusal.Event.Outcome);
        Assert.Equal(viewer.Id, refusal.Event.ActorId);
        Assert.Equal(_otherTag.Ref.ToString(), refusal.Event.Target);
    }

    [Fact]
    public void InstanceDetail_InScope_ShowsTheInstanceAndItsAuditTrail()
    {
        SignInViewer();

        var page = RenderPage<InstanceDetail>(p => p
            .Add(x => x.AccountId, _inside.AccountId).Add(x => x.Region, _inside.Region).Add(x => x.InstanceId, _inside.InstanceId));

        page.WaitForAssertion(() => Assert.Contains(_inside.Name, page.Markup, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=instance-not-found]"));
        page.WaitForAssertion(() => Assert.Contains(page.Instance.Trail, r => r.Event.Action == "instances.reboot"));
    }

    [Fact]
    public void FleetHealth_ScopedViewer_ShowsOnlyInScopeRowsAndAlerts()
    {
        SignInViewer();

        var page = RenderPage<FleetHealth>();

        page.WaitForAssertion(() => Assert.Contains(_inside.Name, page.Find("[data-testid=health-grid]").TextContent, StringComparison.Ordinal));
        foreach (var outside in Outside)
        {
            Assert.DoesNotContain(outside.Name, page.Find("[data-testid=health-grid]").TextContent, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void FleetHealth_Admin_ShowsEveryRow()
    {
        SignIn(_admin);

        var page = RenderPage<FleetHealth>();

        page.WaitForAssertion(() =>
        {
            foreach (var instance in new[] { _inside, _otherRegion, _otherTag })
            {
                Assert.Contains(instance.Name, page.Find("[data-testid=health-grid]").TextContent, StringComparison.Ordinal);
            }
        });
    }

    [Fact]
    public void Alerts_ScopedViewer_ListsOnlyInScope()
    {
        SignInViewer();

        var page = RenderPage<Alerts>();

        page.WaitForAssertion(() => Assert.Contains($"cpu-{_inside.InstanceId}", page.Markup, StringComparison.Ordinal));
        foreach (var outside in Outside)
        {
            Assert.DoesNotContain($"cpu-{outside.InstanceId}", page.Markup, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Alerts_Admin_ListsEveryAlert()
    {
        SignIn(_admin);

        var page = RenderPage<Alerts>();

        page.WaitForAssertion(() =>
        {
            foreach (var instance in new[] { _inside, _otherRegion, _otherTag })
            {
                Assert.Contains($"cpu-{instance.InstanceId}", page.Markup, StringComparison.Ordinal);
            }
        });
    }

    [Fact]
    public async Task AlertPage_OutOfScope_NotFound_InScope_Shown()
    {
        SignInViewer();
        var all = (await Services.GetRequiredService<IAlertStore>().QueryAsync(new AlertQuery(PageSize: 50))).Items;
        var outside = all.Single(a => a.RuleName == $"cpu-{_otherRegion.InstanceId}");
        var inside = all.Single(a => a.RuleName == $"cpu-{_inside.InstanceId}");

        var hidden = RenderPage<AlertPage>(p => p.Add(x => x.Id, outside.Id));
        hidden.WaitForAssertion(() => Assert.DoesNotContain(_otherRegion.InstanceId, hidden.Markup, StringComparison.Ordinal));
        Assert.DoesNotContain(outside.RuleName, hidden.Markup, StringComparison.Ordinal);

        var shown = Render<AlertPage>(p => p.Add(x => x.Id, inside.Id));
        shown.WaitForAssertion(() => Assert.Contains(_inside.InstanceId, shown.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void Approvals_ScopedViewer_PendingAndHistoryOnlyInScope()
    {
        SignInViewer();

        var page = RenderPage<ApprovalsPage>();

        page.WaitForAssertion(() => Assert.Contains(_inside.InstanceId, page.Find("[data-testid=pending-grid]").TextContent, StringComparison.Ordinal));
        page.WaitForAssertion(() => Assert.Contains(_inside.InstanceId, page.Find("[data-testid=history-grid]").TextContent, StringComparison.Ordinal));
        foreach (var outside in Outside)
        {
            Assert.DoesNotContain(outside.InstanceId, page.Markup, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Approvals_Admin_SeesEveryRequest()
    {
        SignIn(_admin);

        var page = RenderPage<ApprovalsPage>();

        page.WaitForAssertion(() => AssertAll(page.Find("[data-testid=pending-grid]").TextContent));
        page.WaitForAssertion(() => AssertAll(page.Find("[data-testid=history-grid]").TextContent));
    }

    [Fact]
    public void Audit_ScopedViewer_ShowsOnlyInScopeRecords_AndNoSystemRecords()
    {
        SignInViewer();

        var page = RenderPage<AuditPage>();

        page.WaitForAssertion(() => Assert.Contains(_inside.InstanceId, page.Markup, StringComparison.Ordinal));
        foreach (var outside in Outside)
        {
            Assert.DoesNotContain(outside.InstanceId, page.Markup, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("user:ghost", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Audit_Admin_ShowsEveryRecord()
    {
        SignIn(_admin);

        var page = RenderPage<AuditPage>();

        page.WaitForAssertion(() => AssertAll(page.Markup));
        Assert.Contains("user:ghost", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leftovers_ScopedToARegion_ListsOnlyThatRegion_AndTheTagScopedViewerNone()
    {
        SignIn("region-viewer", Role.Viewer, Scope.Parse("000000000000/eu-west-1"));
        var inRegion = (await Sandbox.VolumesAsync(new CloudScope("000000000000", "eu-west-1"))).Where(v => v.AttachedTo is null).Select(v => v.VolumeId).ToList();
        var otherRegion = (await Sandbox.VolumesAsync(new CloudScope("000000000000", "us-east-1"))).Where(v => v.AttachedTo is null).Select(v => v.VolumeId).ToList();
        Assert.NotEmpty(inRegion);
        Assert.NotEmpty(otherRegion);

        var page = RenderPage<Leftovers>();

        page.WaitForAssertion(() => Assert.All(inRegion, id => Assert.Contains(id, page.Markup, StringComparison.Ordinal)));
        Assert.All(otherRegion, id => Assert.DoesNotContain(id, page.Markup, StringComparison.Ordinal));

        // The Sandbox's leftovers carry no env tag, so the tag-scoped viewer's scope covers none of them.
        SignInViewer();
        var scoped = Render<Leftovers>();
        scoped.WaitForAssertion(() => Assert.All(inRegion.Concat(otherRegion), id => Assert.DoesNotContain(id, scoped.Markup, StringComparison.Ordinal)));
    }

    [Fact]
    public void Maintenance_ScopedViewer_ListsOnlyWindowsWithinTheScope()
    {
        SignInViewer();

        var page = RenderPage<Maintenance>();

        page.WaitForAssertion(() => Assert.Contains($"window-{_inside.InstanceId}", page.Markup, StringComparison.Ordinal));
        foreach (var outside in Outside)
        {
            Assert.DoesNotContain($"window-{outside.InstanceId}", page.Markup, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("window-all-prod", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Maintenance_OperatorOutsideTheScope_CannotSetOrDeleteAWindow_AndTheRefusalsAreAudited()
    {
        var operatorUser = AddUser("scoped-operator", Role.Operator, Scope.Parse(ViewerScope));
        var windows = Services.GetRequiredService<MaintenanceWindows>();
        var actor = operatorUser.AsActor(Channel.Web);
        var now = Clock.GetUtcNow();

        var wide = await Assert.ThrowsAsync<PortalOps.Domain.Common.DomainException>(() =>
            windows.AddAsync(actor, "silence prod", new RuleScope(ScopeKind.Tag, "env=prod"), null, now, now.AddHours(1)));
        var prodWindow = (await Services.GetRequiredService<IMaintenanceWindowStore>().ListAsync(now)).Single(w => w.Name == "window-all-prod");
        var deleteRefused = await windows.DeleteAsync(actor, prodWindow.Id);
        var own = await windows.AddAsync(actor, "patch mine", new RuleScope(ScopeKind.Instance, _inside.InstanceId), null, now, now.AddHours(1));

        Assert.Contains("outside", wide.Message, StringComparison.Ordinal);
        Assert.NotNull(deleteRefused);
        Assert.Contains(await Services.GetRequiredService<IMaintenanceWindowStore>().ListAsync(now), w => w.Id == prodWindow.Id);
        Assert.Null(await windows.DeleteAsync(actor, own.Id));
        var audit = (await Audit.QueryAsync(new AuditQuery { Action = "maintenance." })).Items;
        Assert.Contains(audit, r => r.Event is { Action: "maintenance.add", Outcome: AuditOutcome.Denied });
        Assert.Contains(audit, r => r.Event is { Action: "maintenance.delete", Outcome: AuditOutcome.Denied });
    }
}
