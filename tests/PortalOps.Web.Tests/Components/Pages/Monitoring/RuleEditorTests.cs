using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Monitoring;

namespace PortalOps.Web.Tests.Components.Pages.Monitoring;

public sealed class RuleEditorTests : PortalTestContext
{
    private readonly MemoryRules _rules = new();

    public RuleEditorTests()
    {
        Services.AddSingleton(MonitoringSettings.Default);
        Services.AddSingleton<IAlertRuleStore>(_rules);
        Services.AddScoped<AlertRules>();
    }

    [Fact]
    public void ImpossibleThreshold_ShowsTheMessageAtTheThresholdField_AndSaveStaysOff()
    {
        SignIn("alice", Role.Approver);
        var page = RenderPage<RuleEditor>();

        page.Find("[data-testid=rule-name]").Input("CPU high");
        page.Find("[data-testid=rule-scope-value]").Input("*");
        page.Find("[data-testid=rule-threshold]").Input("150");

        page.WaitForAssertion(() => Assert.Contains("can never happen", page.Find("[data-testid=rule-threshold]").Closest(".mud-input-control")!.TextContent, StringComparison.Ordinal));
        Assert.True(page.Find("[data-testid=rule-save]").HasAttribute("disabled"));
    }

    [Fact]
    public void EmptyScope_ShowsTheMessageAtTheScopeField()
    {
        SignIn("alice", Role.Approver);
        var page = RenderPage<RuleEditor>();

        page.Find("[data-testid=rule-name]").Input("CPU high");
        page.Find("[data-testid=rule-scope-value]").Input("");

        page.WaitForAssertion(() => Assert.Contains("Name an account id, or * for every account.", page.Find("[data-testid=rule-scope-value]").Closest(".mud-input-control")!.TextContent, StringComparison.Ordinal));
        Assert.True(page.Find("[data-testid=rule-save]").HasAttribute("disabled"));
    }

    [Fact]
    public void MoreBreachingPeriodsThanLookedAt_ShowsTheMessageAtN()
    {
        SignIn("alice", Role.Approver);
        var page = RenderPage<RuleEditor>();

        page.Find("[data-testid=rule-n]").Input("9");

        page.WaitForAssertion(() => Assert.Contains("between 1 and M", page.Find("[data-testid=rule-n]").Closest(".mud-input-control")!.TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void NewRule_BeforeAnythingIsTyped_ShowsNoErrorsAndSaysWhySaveIsOff()
    {
        SignIn("alice", Role.Approver);
        var page = RenderPage<RuleEditor>();

        Assert.Empty(page.FindAll(".mud-input-error"));
        Assert.Empty(page.FindAll("[data-testid=rule-error]"));
        Assert.True(page.Find("[data-testid=rule-save]").HasAttribute("disabled"));
        Assert.Equal("Save is off until these are filled in: Name, Scope value.", page.Find("[data-testid=rule-save-why]").TextContent);

        page.Find("[data-testid=rule-name]").Input("CPU high");

        page.WaitForAssertion(() => Assert.Equal("Save is off until these are filled in: Scope value.", page.Find("[data-testid=rule-save-why]").TextContent));
        page.Find("[data-testid=rule-scope-value]").Input("*");
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=rule-save-why]")));
    }

    [Fact]
    public void AValidRule_IsSavedWithTheApproverAsOwner_AndAudited()
    {
        var alice = SignIn("alice", Role.Approver);
        var page = RenderPage<RuleEditor>();

        page.Find("[data-testid=rule-name]").Input("CPU high");
        page.Find("[data-testid=rule-scope-value]").Input("*");
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=rule-save]").HasAttribute("disabled")));
        page.Find("[data-testid=rule-save]").Click();

        page.WaitForAssertion(() => Assert.Single(_rules.Saved));
        Assert.Equal((alice.Id, 1), (_rules.Saved[0].OwnerId, _rules.Saved[0].Version));
        Assert.Contains(AuditLog.Records, r => r.Event.Action == "alert-rule.save");
    }

    private sealed class MemoryRules : IAlertRuleStore
    {
        public List<AlertRule> Saved { get; } = [];

        public Task<IReadOnlyList<AlertRule>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<AlertRule>>(Saved);

        public Task<AlertRule?> FindAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(Saved.FirstOrDefault(r => r.Id == id));

        public Task SaveAsync(AlertRule rule, CancellationToken cancellationToken = default)
        {
            Saved.Add(rule);
            return Task.CompletedTask;
        }

        public Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(Saved.RemoveAll(r => r.Id == id) > 0);
    }
}
