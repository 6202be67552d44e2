using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Web.Tests.Fakes;
using ApprovalRulesPage = PortalOps.Web.Components.Pages.Admin.ApprovalRules;

namespace PortalOps.Web.Tests.Components.Pages.Admin;

public sealed class ApprovalRulesTests : PortalTestContext
{
    public ApprovalRulesTests()
    {
        Services.AddSingleton<IApprovalRuleStore>(Store);
        Services.AddScoped<ApprovalRulesEditor>();
    }

    private InMemoryRuleStore Store { get; } = new();

    [Fact]
    public void Open_NothingSaved_ShowsTheDefaults()
    {
        SignIn("dave", Role.Admin);
        var page = RenderPage<ApprovalRulesPage>();

        Assert.Contains("built-in defaults apply", page.Find("[data-testid=rules-status]").TextContent, StringComparison.Ordinal);
        Assert.Equal("Terminate needs approval", page.Find("input[data-testid=rule-name-0]").GetAttribute("value"));
        Assert.Equal("6", page.Find("input[data-testid=rule-count-1]").GetAttribute("value"));
    }

    [Fact]
    public void Save_AddedProductionRule_IsStoredAuditedAndApplies()
    {
        SignIn("dave", Role.Admin);
        var page = RenderPage<ApprovalRulesPage>();

        page.Find("[data-testid=rules-add]").Click();
        page.Find("input[data-testid=rule-name-2]").Change("Anything in production");
        page.Find("input[data-testid=rule-envs-2]").Change("prod");
        page.Find("[data-testid=rules-save]").Click();

        page.WaitForAssertion(() => Assert.NotNull(Store.Saved));
        var rule = Store.Saved!.Rules[2];
        Assert.Equal(("Anything in production", 1), (rule.Name, rule.MinTargets));
        Assert.Equal(["prod"], rule.Environments);
        var audited = Assert.Single(AuditLog.Events("approval.rules.update"));
        Assert.Equal(("dave", AuditOutcome.Succeeded), (audited.ActorName, audited.Outcome));
        Assert.Contains("Anything in production", audited.Detail, StringComparison.Ordinal);
        var policy = new ApprovalPolicy(Store.Saved.Rules, TimeSpan.FromHours(1));
        Assert.Equal("Anything in production", policy.RuleFor(ActionKind.StopInstances, [new ResolvedTarget(TestData.Instance(2).Ref, "web", TestData.Instance(2).Tags)])?.Name);
    }

    [Fact]
    public void Save_RuleWithoutNameOrWithAZeroCount_SaysWhichRuleAndStoresNothing()
    {
        SignIn("dave", Role.Admin);
        var page = RenderPage<ApprovalRulesPage>();

        page.Find("input[data-testid=rule-name-0]").Change(" ");
        page.Find("input[data-testid=rule-count-1]").Change("0");
        page.Find("[data-testid=rules-save]").Click();

        Assert.Equal("Give the rule a name.", page.Find("[data-testid=rule-error-0]").TextContent);
        Assert.Equal("The count is between 1 and 1000.", page.Find("[data-testid=rule-error-1]").TextContent);
        Assert.Null(Store.Saved);
        Assert.Empty(AuditLog.Events("approval.rules.update"));
    }

    [Fact]
    public async Task Editor_NonAdmin_IsRefusedAndAudited()
    {
        var olga = AddUser("olga", Role.Operator);
        var editor = new ApprovalRulesEditor(Store, AuditLog, Clock);

        await Assert.ThrowsAsync<DomainException>(() => editor.SaveAsync(olga.AsActor(Channel.Web), [], -1));

        Assert.Equal(AuditOutcome.Denied, Assert.Single(AuditLog.Events("approval.rules.update")).Outcome);
        Assert.Null(Store.Saved);
    }

    private sealed class InMemoryRuleStore : IApprovalRuleStore
    {
        public StoredApprovalRules? Saved { get; private set; }

        public Task<StoredApprovalRules?> LoadAsync(CancellationToken cancellationToken = default) => Task.FromResult(Saved);

        public Task SaveAsync(StoredApprovalRules rules, int expectedVersion, CancellationToken cancellationToken = default)
        {
            if ((Saved?.Version ?? -1) != expectedVersion)
            {
                throw new ConcurrencyConflictException("changed");
            }

            Saved = rules;
            return Task.CompletedTask;
        }
    }
}
