using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Scaling;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Scaling;

namespace PortalOps.Web.Tests.Components.Pages.Scaling;

public sealed class ScalingPagesTests : PortalTestContext
{
    private const string Prod = "123456789012";
    private const string Dev = "210987654321";
    private readonly MemoryScaling _scaling = new();
    private readonly MemoryGroupMetrics _metrics = new();

    public ScalingPagesTests()
    {
        for (var n = 0; n < 40; n++)
        {
            _scaling.Add(Group($"web-{n:00}", Prod, 1, 2, 4));
        }

        _scaling.Add(Group("dev-batch", Dev, 0, 1, 3, env: "dev"));
        Services.AddSingleton<IScaling>(_scaling);
        Services.AddSingleton<ICapacityHistory>(new MemoryHistory());
        Services.AddSingleton<IGroupCapacityMetrics>(_metrics);
        Services.AddSingleton(new ScalingApprovalGuard(20));
        Services.AddScoped<IActionExecutor, ScalingExecutor>();
        Services.AddScoped<ScalingOperations>();
    }

    private static GroupRef Web00 => new(Prod, "eu-west-1", "web-00");

    [Fact]
    public void Groups_PersonOfAnotherScope_SeesNoGroup()
    {
        SignIn("vera", Role.Viewer, Scope.Parse($"999999999999/*"));
        var page = RenderPage<ScalingGroups>();

        page.WaitForAssertion(() => Assert.Contains("No Auto Scaling groups to show", page.Find("[data-testid=groups-grid]").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain("web-00", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("dev-batch", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Groups_ViewerOfProd_SeesOnePageOfProdGroupsOnly_AndFilters()
    {
        SignIn("olga", Role.Viewer, Scope.Parse($"{Prod}/*"));
        var page = RenderPage<ScalingGroups>();

        page.WaitForAssertion(() => Assert.Contains("web-00", page.Find("[data-testid=groups-grid]").TextContent, StringComparison.Ordinal));
        Assert.Equal(25, page.FindAll("[data-testid=groups-grid] tbody tr").Count);
        Assert.DoesNotContain("dev-batch", page.Markup, StringComparison.Ordinal);

        var search = page.FindComponents<MudBlazor.MudTextField<string>>()[0];
        page.InvokeAsync(() => search.Instance.ValueChanged.InvokeAsync("web-3"));
        page.WaitForAssertion(() => Assert.Equal(10, page.FindAll("[data-testid=groups-grid] tbody tr").Count));
        Assert.Contains("text=web-3", page.Find("[data-testid=groups-csv]").GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public void GroupPage_PersonOfAnotherScope_SeesNothingOfTheGroup()
    {
        SignIn("carl", Role.Operator, Scope.Parse($"{Dev}/*"));
        var page = RenderGroup(Web00);

        page.WaitForAssertion(() => page.Find("[data-testid=group-missing]"));
        Assert.Empty(page.FindAll("[data-testid=capacity-editor]"));
        Assert.Empty(page.FindAll("[data-testid=group-instances]"));
    }

    [Fact]
    public void GroupPage_Viewer_SeesTheGroupButCannotChangeIt()
    {
        SignIn("vera", Role.Viewer, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(Web00);

        page.WaitForAssertion(() => page.Find("[data-testid=capacity-readonly]"));
        Assert.Contains("i-web-00-0", page.Find("[data-testid=group-instances]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=capacity-submit]"));
        Assert.Empty(page.FindAll("[data-testid=policy-editor]"));
        Assert.Empty(page.FindAll("[data-testid=schedule-editor]"));
        Assert.Empty(page.FindAll("[data-testid=policy-delete]"));
    }

    [Fact]
    public void CapacityEditor_EveryBadValue_GetsAMessageAtItsField_AndNothingIsSent()
    {
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(Web00);
        page.WaitForAssertion(() => page.Find("[data-testid=capacity-submit]"));

        page.Find("[data-testid=capacity-min]").Change("5");
        page.Find("[data-testid=capacity-max]").Change("3");
        page.Find("[data-testid=capacity-desired]").Change("9");
        page.Find("[data-testid=capacity-submit]").Click();

        page.WaitForAssertion(() => Assert.Contains("below min", Field(page, "capacity-max"), StringComparison.Ordinal));
        Assert.Contains("Desired is between", Field(page, "capacity-desired"), StringComparison.Ordinal);
        Assert.Empty(_scaling.Calls);
    }

    [Fact]
    public void CapacityEditor_GoodValues_GoThroughThePipeline()
    {
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(Web00);
        page.WaitForAssertion(() => page.Find("[data-testid=capacity-submit]"));

        page.Find("[data-testid=capacity-desired]").Change("3");
        page.Find("[data-testid=capacity-submit]").Click();

        page.WaitForAssertion(() => Assert.Equal(["capacity web-00 min 1, desired 3, max 4"], _scaling.Calls));
        page.WaitForAssertion(() => Assert.Contains(AuditLog.Events(ActionKind.SetGroupCapacity.Name), e => e.AwsRequestId == "req-1"));
    }

    [Fact]
    public void PolicyEditor_EveryBadValue_GetsAMessageAtItsField()
    {
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(Web00);
        page.WaitForAssertion(() => page.Find("[data-testid=policy-submit]"));

        page.Find("[data-testid=policy-name]").Change("bad:name");
        page.Find("[data-testid=policy-target]").Change("150");
        page.Find("[data-testid=policy-warmup]").Change("-5");
        page.Find("[data-testid=policy-submit]").Click();

        page.WaitForAssertion(() => Assert.Contains("Name the policy", Field(page, "policy-name"), StringComparison.Ordinal));
        Assert.Contains("between 1 and 100", Field(page, "policy-target"), StringComparison.Ordinal);
        Assert.Contains("warm-up", Field(page, "policy-warmup"), StringComparison.Ordinal);
        Assert.Empty(_scaling.Calls);
    }

    [Fact]
    public void PolicyEditor_UnreadableAndOverlappingSteps_GetAMessageAtSteps()
    {
        Assert.NotNull(PolicyEditor.ParseSteps("0, 10, 1\n10, , 2").Steps);
        Assert.Contains("Line 2", PolicyEditor.ParseSteps("0, 10, 1\nten, , 2").Problem, StringComparison.Ordinal);

        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(Web00);
        page.WaitForAssertion(() => page.Find("[data-testid=policy-submit]"));
        page.Find("[data-testid=policy-name]").Change("steps");
        SelectKind(page, "Step");
        page.WaitForAssertion(() => page.Find("[data-testid=policy-steps]"));
        page.Find("[data-testid=policy-steps]").Change("0, 20, 1\n10, , 2");
        page.Find("[data-testid=policy-submit]").Click();

        page.WaitForAssertion(() => Assert.Contains("overlap", Field(page, "policy-steps"), StringComparison.Ordinal));
        Assert.Empty(_scaling.Calls);
    }

    [Fact]
    public void ScheduledActionEditor_EveryBadValue_GetsAMessageAtItsField()
    {
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(Web00);
        page.WaitForAssertion(() => page.Find("[data-testid=schedule-submit]"));

        page.Find("[data-testid=schedule-name]").Change("nights");
        page.Find("[data-testid=schedule-recurrence]").Change("0 0 30 2 *");
        page.Find("[data-testid=schedule-timezone]").Change("Mars/Olympus_Mons");
        page.Find("[data-testid=schedule-end]").Change("yesterday");
        page.Find("[data-testid=schedule-min]").Change("5");
        page.Find("[data-testid=schedule-max]").Change("2");
        page.Find("[data-testid=schedule-submit]").Click();

        page.WaitForAssertion(() => Assert.Contains("never fires", Field(page, "schedule-recurrence"), StringComparison.Ordinal));
        Assert.Contains("not a time zone", Field(page, "schedule-timezone"), StringComparison.Ordinal);
        Assert.Contains("yyyy-MM-dd", Field(page, "schedule-end"), StringComparison.Ordinal);
        Assert.Contains("below min", Field(page, "schedule-max"), StringComparison.Ordinal);
        Assert.Empty(_scaling.Calls);
    }

    [Fact]
    public void ScheduledActionEditor_ValidSchedule_ReachesThePort()
    {
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(Web00);
        page.WaitForAssertion(() => page.Find("[data-testid=schedule-submit]"));

        page.Find("[data-testid=schedule-name]").Change("nights");
        page.Find("[data-testid=schedule-recurrence]").Change("0 20 * * MON-FRI");
        page.Find("[data-testid=schedule-timezone]").Change("Europe/Berlin");
        page.Find("[data-testid=schedule-desired]").Change("1");
        page.Find("[data-testid=schedule-submit]").Click();

        page.WaitForAssertion(() => Assert.Equal(["put-scheduled web-00 nights: '0 20 * * MON-FRI' Europe/Berlin → min –, desired 1, max –"], _scaling.Calls));
    }

    [Fact]
    public void GroupPage_RefreshRunning_OperatorSeesProgressAndCancel()
    {
        _scaling.Refreshes[Web00] = [new InstanceRefresh("ir-1", InstanceRefreshStatus.InProgress, Start.AddMinutes(-3), null, 40, 3)];
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(Web00);

        page.WaitForAssertion(() => page.Find("[data-testid=refresh-progress]"));
        Assert.Contains("InProgress · 40% complete · 3 instance(s) to update", page.Find("[data-testid=refresh-status]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=refresh-open]"));

        page.Find("[data-testid=refresh-cancel]").Click();

        page.WaitForAssertion(() => Assert.Equal(["cancel-refresh web-00"], _scaling.Calls));

        // The audit record follows the call's answer.
        page.WaitForAssertion(() => Assert.Contains(AuditLog.Events(ActionKind.CancelInstanceRefresh.Name), e => e.AwsRequestId == "req-1"));
    }

    [Fact]
    public void GroupPage_Viewer_SeesTheLastRefreshButNoRefreshButton()
    {
        _scaling.Refreshes[Web00] = [new InstanceRefresh("ir-1", InstanceRefreshStatus.Successful, Start.AddMinutes(-30), Start.AddMinutes(-20), 100, 0)];
        SignIn("vera", Role.Viewer, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(Web00);

        page.WaitForAssertion(() => Assert.Contains("Last: Successful", page.Find("[data-testid=refresh-last]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=refresh-open]"));
        Assert.Empty(page.FindAll("[data-testid=refresh-cancel]"));
    }

    [Fact]
    public void GroupPage_ViewerWhileARefreshRuns_SeesProgressButNoCancel()
    {
        _scaling.Refreshes[Web00] = [new InstanceRefresh("ir-1", InstanceRefreshStatus.InProgress, Start.AddMinutes(-3), null, 40, 3)];
        SignIn("vera", Role.Viewer, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(Web00);

        page.WaitForAssertion(() => page.Find("[data-testid=refresh-progress]"));
        Assert.Empty(page.FindAll("[data-testid=refresh-cancel]"));
        Assert.Empty(page.FindAll("[data-testid=refresh-open]"));
    }

    [Fact]
    public void GroupPage_OperatorOfAnotherScope_SeesNoRefreshPanel()
    {
        _scaling.Refreshes[Web00] = [new InstanceRefresh("ir-1", InstanceRefreshStatus.InProgress, Start.AddMinutes(-3), null, 40, 3)];
        SignIn("carl", Role.Operator, Scope.Parse($"{Dev}/*"));
        var page = RenderGroup(Web00);

        page.WaitForAssertion(() => page.Find("[data-testid=group-missing]"));
        Assert.Empty(page.FindAll("[data-testid=refresh-panel]"));
        Assert.DoesNotContain("40%", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void GroupPage_Operator_RefreshDialog_BadValueGetsAMessage_ThenStartsAndWaitsForApproval()
    {
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(Web00);
        page.WaitForAssertion(() => page.Find("[data-testid=refresh-open]"));

        page.Find("[data-testid=refresh-open]").Click();
        DialogProvider.WaitForAssertion(() => DialogProvider.Find("[data-testid=refresh-start]"));
        DialogProvider.Find("[data-testid=refresh-min-healthy]").Change("150");
        DialogProvider.Find("[data-testid=refresh-start]").Click();
        DialogProvider.WaitForAssertion(() => Assert.Contains("between 0 and 100", DialogProvider.Find("[data-testid=refresh-min-healthy]").Closest(".mud-input-control")!.TextContent, StringComparison.Ordinal));

        DialogProvider.Find("[data-testid=refresh-min-healthy]").Change("80");
        DialogProvider.Find("[data-testid=refresh-warmup]").Change("120");
        DialogProvider.Find("[data-testid=refresh-start]").Click();

        page.WaitForAssertion(() => Assert.Contains("approval", page.Find("[data-testid=refresh-outcome]").TextContent, StringComparison.OrdinalIgnoreCase));
        Assert.Empty(_scaling.Calls);
    }

    [Fact]
    public void GroupPage_ViewerInScope_GroupWithCloudWatchMetrics_ChartsTheCloudWatchSeries()
    {
        // Three hours of CloudWatch points (desired 3, in service 2) up to now; the stored history covers the hours before.
        _metrics.Points[Web00] = Enumerable.Range(1, 36).Select(n => new CapacityPoint(Start.AddMinutes(-5 * n), 3, 2, CapacitySource.CloudWatch)).Reverse().ToList();
        SignIn("vera", Role.Viewer, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(Web00);

        page.WaitForAssertion(() => Assert.Contains("CloudWatch group metrics from 2026-11-25 06:00 UTC", page.Find("[data-testid=group-chart-source]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=group-chart-notice]"));
        var series = page.FindComponent<MudBlazor.MudChart<double>>().Instance.ChartSeries!;
        Assert.Equal(["Desired (CloudWatch)", "In service (CloudWatch)", "Desired (stored)", "In service (stored)"], series.Select(x => x.Name));
        Assert.Equal((36, 36, 2, 2), (series[0].Data.Count, series[1].Data.Count, series[2].Data.Count, series[3].Data.Count));
        Assert.Equal((Web00, TimeSpan.FromMinutes(5)), (_metrics.Calls.Single().Group, _metrics.Calls.Single().Period));
    }

    [Fact]
    public void GroupPage_OperatorInScope_GroupWithoutCloudWatchMetrics_ShowsTheStoredHistoryAndSaysTheyAreNotEnabled()
    {
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(new GroupRef(Prod, "eu-west-1", "web-01"));

        page.WaitForAssertion(() => Assert.Contains("CloudWatch group metrics are not enabled for this group", page.Find("[data-testid=group-chart-notice]").TextContent, StringComparison.Ordinal));
        Assert.Contains("Source: the portal's stored history.", page.Find("[data-testid=group-chart-source]").TextContent, StringComparison.Ordinal);
        var series = page.FindComponent<MudBlazor.MudChart<double>>().Instance.ChartSeries!;
        Assert.Equal(["Desired (stored)", "In service (stored)"], series.Select(x => x.Name));
    }

    [Fact]
    public void GroupPage_PersonOfAnotherScope_SeesNoChartAndCloudWatchIsNotAsked()
    {
        _metrics.Points[Web00] = [new CapacityPoint(Start.AddMinutes(-5), 3, 2, CapacitySource.CloudWatch)];
        SignIn("carl", Role.Viewer, Scope.Parse($"{Dev}/*"));
        var page = RenderGroup(Web00);

        page.WaitForAssertion(() => page.Find("[data-testid=group-missing]"));
        Assert.Empty(page.FindAll("[data-testid=group-chart]"));
        Assert.Empty(page.FindAll("[data-testid=group-chart-source]"));
        Assert.Empty(page.FindAll("[data-testid=group-chart-notice]"));
        Assert.Empty(_metrics.Calls);
    }

    [Fact]
    public void GroupPage_OperatorInScope_MetricsOff_EnableButtonGoesThroughThePipelineWithTheAwsRequestId()
    {
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(new GroupRef(Prod, "eu-west-1", "web-01"));
        page.WaitForAssertion(() => page.Find("[data-testid=group-chart-notice]"));

        page.Find("[data-testid=group-metrics-enable]").Click();

        page.WaitForAssertion(() => Assert.Equal([$"enable-metrics web-01 {string.Join(",", GroupMetrics.Enabled)}"], _scaling.Calls));
        Assert.Contains("GroupDesiredCapacity", _scaling.Calls[0], StringComparison.Ordinal);
        Assert.Contains("GroupInServiceInstances", _scaling.Calls[0], StringComparison.Ordinal);
        // The audit record follows the call's answer: wait for it.
        page.WaitForAssertion(() => Assert.Equal("req-1", Assert.Single(AuditLog.Events(ActionKind.EnableMetricsCollection.Name)).AwsRequestId));
        page.WaitForAssertion(() => Assert.Contains("metrics collection enabled", page.Find("[data-testid=group-message]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void GroupPage_ViewerInScope_MetricsOff_SeesTheNoticeButNoEnableButton()
    {
        SignIn("vera", Role.Viewer, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(new GroupRef(Prod, "eu-west-1", "web-01"));

        page.WaitForAssertion(() => Assert.Contains("not enabled", page.Find("[data-testid=group-chart-notice]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=group-metrics-enable]"));
    }

    [Fact]
    public void GroupPage_OperatorOfAnotherScope_SeesNoEnableButton_AndNothingIsSent()
    {
        SignIn("carl", Role.Operator, Scope.Parse($"{Dev}/*"));
        var page = RenderGroup(new GroupRef(Prod, "eu-west-1", "web-01"));

        page.WaitForAssertion(() => page.Find("[data-testid=group-missing]"));
        Assert.Empty(page.FindAll("[data-testid=group-metrics-enable]"));
        Assert.Empty(_scaling.Calls);
    }

    [Fact]
    public void GroupPage_Operator_MetricsAlreadyCollected_NoEnableButton_AndTheNoticeSaysDataIsComing()
    {
        var web02 = new GroupRef(Prod, "eu-west-1", "web-02");
        _scaling.Add(Group("web-02", Prod, 1, 2, 4) with { EnabledMetrics = GroupMetrics.Enabled });
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(web02);

        page.WaitForAssertion(() => Assert.Contains("collection is enabled", page.Find("[data-testid=group-chart-notice]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=group-metrics-enable]"));
    }

    [Fact]
    public async Task RefreshDialog_BadCheckpointsDelayVersionAndRollback_GetMessagesAtTheirFields_AndNothingIsSent()
    {
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(Web00);
        page.WaitForAssertion(() => page.Find("[data-testid=refresh-open]"));
        page.Find("[data-testid=refresh-open]").Click();
        DialogProvider.WaitForAssertion(() => DialogProvider.Find("[data-testid=refresh-start]"));

        DialogProvider.Find("[data-testid=refresh-checkpoints]").Change("50, 20");
        DialogProvider.Find("[data-testid=refresh-checkpoint-delay]").Change("200000");
        DialogProvider.Find("[data-testid=refresh-version]").Change("latest");
        DialogProvider.Find("[data-testid=refresh-start]").Click();

        DialogProvider.WaitForAssertion(() => Assert.Contains("ascending", DialogField("refresh-checkpoints"), StringComparison.Ordinal));
        Assert.Contains("between 0 and 172800 seconds", DialogField("refresh-checkpoint-delay"), StringComparison.Ordinal);
        Assert.Contains("whole number of 1 or more", DialogField("refresh-version"), StringComparison.Ordinal);

        DialogProvider.Find("[data-testid=refresh-checkpoints]").Change("20, 50");
        DialogProvider.Find("[data-testid=refresh-checkpoint-delay]").Change("600");
        DialogProvider.Find("[data-testid=refresh-version]").Change("");
        var autoRollback = DialogProvider.FindComponents<MudBlazor.MudCheckBox<bool>>().Single(c => c.Instance.Label!.StartsWith("Roll back", StringComparison.Ordinal));
        await DialogProvider.InvokeAsync(() => autoRollback.Instance.ValueChanged.InvokeAsync(true));
        DialogProvider.Find("[data-testid=refresh-start]").Click();

        DialogProvider.WaitForAssertion(() => Assert.Contains("last checkpoint is 100", DialogField("refresh-checkpoints"), StringComparison.Ordinal));
        Assert.Contains("needs a desired launch template version", DialogProvider.Find("[data-testid=refresh-auto-rollback-error]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("between 0 and", DialogField("refresh-checkpoint-delay"), StringComparison.Ordinal);

        DialogProvider.Find("[data-testid=refresh-checkpoints]").Change("20, x, 100");
        DialogProvider.Find("[data-testid=refresh-start]").Click();
        DialogProvider.WaitForAssertion(() => Assert.Contains("'x' is not a whole percentage", DialogField("refresh-checkpoints"), StringComparison.Ordinal));

        Assert.Empty(_scaling.Calls);
        Assert.Empty(AuditLog.Events(ActionKind.StartInstanceRefresh.Name));
    }

    [Fact]
    public void RefreshDialog_GoodCheckpointsVersionAndRollback_AreSubmittedForApproval()
    {
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(Web00);
        page.WaitForAssertion(() => page.Find("[data-testid=refresh-open]"));
        page.Find("[data-testid=refresh-open]").Click();
        DialogProvider.WaitForAssertion(() => DialogProvider.Find("[data-testid=refresh-start]"));

        DialogProvider.Find("[data-testid=refresh-checkpoints]").Change("20, 50, 100");
        DialogProvider.Find("[data-testid=refresh-checkpoint-delay]").Change("900");
        DialogProvider.Find("[data-testid=refresh-version]").Change("4");
        DialogProvider.Find("[data-testid=refresh-start]").Click();

        page.WaitForAssertion(() => Assert.Contains("approval", page.Find("[data-testid=refresh-outcome]").TextContent, StringComparison.OrdinalIgnoreCase));
        var asked = Assert.Single(Approvals.All);
        Assert.Equal(ActionKind.StartInstanceRefresh.Name, asked.KindName);
        Assert.Equal(("20,50,100", "900", "4"), (asked.Parameters["checkpoints"], asked.Parameters["checkpointDelay"], asked.Parameters["version"]));
        Assert.Empty(_scaling.Calls);
    }

    [Fact]
    public void GroupPage_RefreshPausedAtACheckpoint_OperatorRollsItBackThroughThePipeline()
    {
        _scaling.Refreshes[Web00] = [new InstanceRefresh("ir-1", InstanceRefreshStatus.InProgress, Start.AddMinutes(-9), null, 50, 2)
        {
            StatusReason = "Waiting at checkpoint 50% (2 of 4 instance(s) replaced).",
            CheckpointPercentages = [50, 100],
            CheckpointDelaySeconds = 600,
            DesiredLaunchTemplateVersion = "4",
        }];
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(Web00);

        page.WaitForAssertion(() => Assert.Contains("InProgress (paused at a checkpoint) · 50% complete", page.Find("[data-testid=refresh-status]").TextContent, StringComparison.Ordinal));
        Assert.Contains("Checkpoints 50, 100% (wait 600 s at each) · to launch template version 4", page.Find("[data-testid=refresh-plan]").TextContent, StringComparison.Ordinal);

        page.Find("[data-testid=refresh-rollback]").Click();

        page.WaitForAssertion(() => Assert.Equal(["rollback-refresh web-00"], _scaling.Calls));
        page.WaitForAssertion(() => Assert.Contains(AuditLog.Events(ActionKind.RollbackInstanceRefresh.Name), e => e.AwsRequestId == "req-1"));
    }

    [Fact]
    public void GroupPage_RefreshWithoutVersion_OffersCancelButNoRollback()
    {
        _scaling.Refreshes[Web00] = [new InstanceRefresh("ir-1", InstanceRefreshStatus.InProgress, Start.AddMinutes(-3), null, 25, 3)];
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(Web00);
        page.WaitForAssertion(() => page.Find("[data-testid=refresh-cancel]"));
        Assert.Empty(page.FindAll("[data-testid=refresh-rollback]"));
        Assert.Contains("named no launch template version", page.Find("[data-testid=refresh-no-rollback]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void GroupPage_RefreshRollingBack_OffersNeitherCancelNorRollback()
    {
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var web01 = new GroupRef(Prod, "eu-west-1", "web-01");
        _scaling.Refreshes[web01] = [new InstanceRefresh("ir-2", InstanceRefreshStatus.RollbackInProgress, Start.AddMinutes(-3), null, 50, 2) { DesiredLaunchTemplateVersion = "4" }];
        var rolling = RenderGroup(web01);
        rolling.WaitForAssertion(() => Assert.StartsWith("RollbackInProgress", rolling.Find("[data-testid=refresh-status]").TextContent, StringComparison.Ordinal));
        Assert.Empty(rolling.FindAll("[data-testid=refresh-rollback]"));
        Assert.Empty(rolling.FindAll("[data-testid=refresh-cancel]"));
    }

    [Theory]
    [InlineData(InstanceRefreshStatus.Baking, true)]
    [InlineData(InstanceRefreshStatus.RollbackSuccessful, false)]
    [InlineData(InstanceRefreshStatus.RollbackFailed, false)]
    public void GroupPage_ShowsAwsRefreshStatuses(InstanceRefreshStatus status, bool running)
    {
        _scaling.Refreshes[Web00] = [new InstanceRefresh("ir-1", status, Start.AddMinutes(-30), running ? null : Start.AddMinutes(-5), 100, 0) { DesiredLaunchTemplateVersion = "4" }];
        SignIn("olga", Role.Operator, Scope.Parse($"{Prod}/*"));
        var page = RenderGroup(Web00);

        page.WaitForAssertion(() => Assert.Contains(status.ToString(), page.Find(running ? "[data-testid=refresh-status]" : "[data-testid=refresh-last]").TextContent, StringComparison.Ordinal));
        Assert.Equal(running, page.FindAll("[data-testid=refresh-rollback]").Count == 1);
    }

    private string DialogField(string testId) =>
        DialogProvider.Find($"[data-testid={testId}]").Closest(".mud-input-control")!.TextContent;

    /// <summary>The text around a field: its label, value and the message MudBlazor shows under it.</summary>
    private static string Field(IRenderedComponent<GroupPage> page, string testId) =>
        page.Find($"[data-testid={testId}]").Closest(".mud-input-control")!.TextContent;

    private static void SelectKind(IRenderedComponent<GroupPage> page, string text)
    {
        var editor = page.FindComponent<PolicyEditor>();
        var select = editor.FindComponent<MudBlazor.MudSelect<PolicyKind>>();
        select.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(Enum.Parse<PolicyKind>(text)));
    }

    private IRenderedComponent<GroupPage> RenderGroup(GroupRef group) =>
        RenderPage<GroupPage>(p => p.Add(x => x.Account, group.AccountId).Add(x => x.Region, group.Region).Add(x => x.Name, group.Name));

    private static ScalingGroup Group(string name, string account, int min, int desired, int max, string env = "prod") =>
        new(new GroupRef(account, "eu-west-1", name), min, desired, max,
            Enumerable.Range(0, desired).Select(n => new ScalingInstance($"i-{name}-{n}", "t3.micro", "eu-west-1a", LifecycleState.InService, true, false)).ToList(),
            "web-template", "3", ["eu-west-1a"], [], new Dictionary<string, string> { ["env"] = env }, Start.AddDays(-3));

    private sealed class MemoryScaling : IScaling
    {
        private readonly Dictionary<GroupRef, ScalingGroup> _groups = [];

        public List<string> Calls { get; } = [];

        public void Add(ScalingGroup g) => _groups[g.Ref] = g;

        public Task<GroupListing> ListGroupsAsync(CancellationToken cancellationToken = default) => Task.FromResult(new GroupListing(_groups.Values.ToList(), []));

        public Task<ScalingGroup?> FindGroupAsync(GroupRef group, CancellationToken cancellationToken = default) => Task.FromResult(_groups.GetValueOrDefault(group));

        public Task<IReadOnlyList<ScalingActivity>> ActivitiesAsync(GroupRef group, int max, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<ScalingActivity>>([]);

        public Task<IReadOnlyList<ScalingPolicy>> PoliciesAsync(GroupRef group, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<ScalingPolicy>>([new ScalingPolicy("cpu", PolicyKind.TargetTracking) { TargetValue = 50 }]);

        public Task<IReadOnlyList<ScheduledAction>> ScheduledActionsAsync(GroupRef group, CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<ScheduledAction>>([]);

        public Task<string?> SetCapacityAsync(GroupRef group, CapacityChange change, CancellationToken cancellationToken = default)
        {
            _groups[group] = _groups[group] with { MinSize = change.MinSize, DesiredCapacity = change.DesiredCapacity, MaxSize = change.MaxSize };
            return Record($"capacity {group.Name} {change}");
        }

        public Task<string?> PutPolicyAsync(GroupRef group, ScalingPolicy policy, CancellationToken cancellationToken = default) => Record($"put-policy {group.Name} {policy.Describe()}");

        public Task<string?> DeletePolicyAsync(GroupRef group, string policyName, CancellationToken cancellationToken = default) => Record($"delete-policy {group.Name} {policyName}");

        public Task<string?> PutScheduledActionAsync(GroupRef group, ScheduledAction action, CancellationToken cancellationToken = default) => Record($"put-scheduled {group.Name} {action.Describe()}");

        public Task<string?> DeleteScheduledActionAsync(GroupRef group, string actionName, CancellationToken cancellationToken = default) => Record($"delete-scheduled {group.Name} {actionName}");

        public Task<string?> SuspendProcessesAsync(GroupRef group, IReadOnlyList<string> processes, CancellationToken cancellationToken = default) => Record($"suspend {group.Name}");

        public Task<string?> ResumeProcessesAsync(GroupRef group, IReadOnlyList<string> processes, CancellationToken cancellationToken = default) => Record($"resume {group.Name}");

        public Dictionary<GroupRef, List<InstanceRefresh>> Refreshes { get; } = [];

        public Task<IReadOnlyList<InstanceRefresh>> InstanceRefreshesAsync(GroupRef group, int max, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<InstanceRefresh>>(Refreshes.GetValueOrDefault(group)?.Take(max).ToList() ?? []);

        public Task<string?> StartInstanceRefreshAsync(GroupRef group, InstanceRefreshRequest request, CancellationToken cancellationToken = default) => Record($"start-refresh {group.Name} {request}");

        public Task<string?> CancelInstanceRefreshAsync(GroupRef group, CancellationToken cancellationToken = default) => Record($"cancel-refresh {group.Name}");

        public Task<string?> RollbackInstanceRefreshAsync(GroupRef group, CancellationToken cancellationToken = default) => Record($"rollback-refresh {group.Name}");

        public Task<string?> EnableMetricsCollectionAsync(GroupRef group, IReadOnlyList<string> metrics, CancellationToken cancellationToken = default) =>
            Record($"enable-metrics {group.Name} {string.Join(",", metrics)}");

        private Task<string?> Record(string call)
        {
            Calls.Add(call);
            return Task.FromResult<string?>($"req-{Calls.Count}");
        }
    }

    private sealed class MemoryGroupMetrics : IGroupCapacityMetrics
    {
        public Dictionary<GroupRef, List<CapacityPoint>> Points { get; } = [];

        public List<(GroupRef Group, DateTimeOffset From, DateTimeOffset To, TimeSpan Period)> Calls { get; } = [];

        public Task<GroupMetricsFetch> CapacityAsync(GroupRef group, DateTimeOffset from, DateTimeOffset to, TimeSpan period, CancellationToken cancellationToken = default)
        {
            Calls.Add((group, from, to, period));
            return Task.FromResult(new GroupMetricsFetch(Points.GetValueOrDefault(group)?.Where(p => p.At >= from && p.At < to).ToList() ?? [], period, 1));
        }
    }

    private sealed class MemoryHistory : ICapacityHistory
    {
        public Task<int> RecordAsync(IReadOnlyList<CapacitySample> samples, CancellationToken cancellationToken = default) => Task.FromResult(0);

        public Task<IReadOnlyList<CapacitySample>> ReadAsync(GroupRef group, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<CapacitySample>>([new CapacitySample(group, from.AddHours(1), 1, 2, 4, 2, 0, 0), new CapacitySample(group, from.AddHours(2), 1, 3, 4, 2, 1, 0)]);

        public Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default) => Task.FromResult(0);
    }
}
