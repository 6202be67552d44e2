using Bunit;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Web.Tests.Fakes;
using InstancesPage = PortalOps.Web.Components.Pages.Instances.Instances;

namespace PortalOps.Web.Tests.Components.Pages.Instances;

public sealed class InstancesTests : PortalTestContext
{
    [Fact]
    public void Render_ThirtyInstances_ShowsOnePageOfRowsFromTheInventory()
    {
        Inventory.Add(TestData.Fleet(30));
        SignIn("vera", Role.Viewer);

        var page = RenderPage<InstancesPage>();

        page.WaitForAssertion(() => Assert.Equal(25, page.FindAll("[data-testid=state-chip]").Count));
        var query = Inventory.Queries[^1];
        Assert.Equal(0, query.PageIndex);
        Assert.Equal(25, query.PageSize);
        Assert.Contains("web-01", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("web-30", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StateFilter_Stopped_AsksTheInventoryForStoppedOnly()
    {
        Inventory.Add(TestData.Fleet(12, n => n % 3 == 0 ? InstanceState.Stopped : InstanceState.Running));
        SignIn("vera", Role.Viewer);
        var page = RenderPage<InstancesPage>();
        page.WaitForAssertion(() => Assert.Equal(12, page.FindAll("[data-testid=state-chip]").Count));

        var select = page.FindComponent<MudSelect<InstanceState?>>();
        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(InstanceState.Stopped));

        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("[data-testid=state-chip]").Count));
        Assert.Equal(InstanceState.Stopped, Inventory.Queries[^1].State);
        Assert.All(page.FindAll("[data-testid=state-chip]"), chip => Assert.Equal("stopped", chip.GetAttribute("data-state")));
    }

    [Fact]
    public void Render_ViewerScopedToOneRegionAndTag_SeesOnlyInstancesInScope()
    {
        Inventory.Add(TestData.Fleet(6));
        Inventory.Add(TestData.Instance(7, region: TestData.UsEast, name: "east-07"));
        SignIn("vera", Role.Viewer, new Scope(TestData.SandboxAccount, TestData.EuWest, "env", "prod"));

        var page = RenderPage<InstancesPage>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=state-chip]").Count));
        Assert.Contains("web-02", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("web-01", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("east-07", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Viewer_ShowsNoActionButtonsOrRowSelection()
    {
        Inventory.Add(TestData.Fleet(3));
        SignIn("vera", Role.Viewer);

        var page = RenderPage<InstancesPage>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=state-chip]").Count));
        Assert.Empty(page.FindAll("[data-testid=instance-actions]"));
        Assert.Empty(page.FindAll("[data-testid^=action-]"));
        Assert.Empty(page.FindAll("input[type=checkbox]"));
    }

    [Fact]
    public void Stop_OperatorSelectsTwoAndConfirms_ComputeStopsThoseTwo()
    {
        var fleet = TestData.Fleet(3);
        Inventory.Add(fleet);
        SignIn("olga", Role.Operator);
        var page = RenderPage<InstancesPage>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("tbody input[type=checkbox]").Count));

        SelectRows(page, 0, 1);
        page.Find("[data-testid=action-stop]").Click();
        ConfirmDialog("Stop");

        page.WaitForAssertion(() => Assert.Single(Compute.Calls));
        var call = Compute.Calls.Single();
        Assert.Equal(InstanceAction.Stop, call.Action);
        Assert.Equal([fleet[0].Ref, fleet[1].Ref], call.Targets.OrderBy(t => t.InstanceId));
        Assert.Contains(SnackbarMessages, m => m.StartsWith("Stop accepted for 2 instance(s)", StringComparison.Ordinal));
        Assert.Empty(Approvals.All);
    }

    [Fact]
    public void Terminate_OperatorConfirms_CreatesAPendingApprovalAndTouchesNothing()
    {
        var fleet = TestData.Fleet(2);
        Inventory.Add(fleet);
        SignIn("olga", Role.Operator);
        var page = RenderPage<InstancesPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("tbody input[type=checkbox]").Count));

        SelectRows(page, 1);
        page.Find("[data-testid=action-terminate]").Click();
        Assert.Contains("needs approval", DialogProvider.Markup, StringComparison.Ordinal);
        ConfirmDialog("Terminate");

        page.WaitForAssertion(() => Assert.Single(Approvals.All));
        var request = Approvals.All.Single();
        Assert.Equal(ApprovalStatus.Pending, request.Status);
        Assert.Equal(ActionKind.TerminateInstances.Name, request.KindName);
        Assert.Equal(fleet[1].Ref, request.Targets.Single().Ref);
        Assert.Empty(Compute.Calls);
    }

    [Fact]
    public void Start_SelectionWithRunningAndTerminated_ConfirmationSaysWhatIsSkippedAndOnlyTheStoppedStart()
    {
        var fleet = TestData.Fleet(4, n => n switch { 1 => InstanceState.Stopped, 4 => InstanceState.Terminated, _ => InstanceState.Running });
        Inventory.Add(fleet);
        SignIn("olga", Role.Operator);
        var page = RenderPage<InstancesPage>();
        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("tbody input[type=checkbox]").Count));

        SelectRows(page, 0, 1, 2, 3);
        page.Find("[data-testid=action-start]").Click();

        DialogProvider.WaitForElement("[data-testid=confirm-skipped]");
        Assert.Equal("3 of 4 selected will be skipped: 2 already running, 1 terminated.", DialogProvider.Find("[data-testid=confirm-skipped]").TextContent.Trim());
        Assert.StartsWith("Start 1 instance(s)", DialogProvider.Find("[data-testid=confirm-blast-radius]").TextContent, StringComparison.Ordinal);
        ConfirmDialog("Start");

        page.WaitForAssertion(() => Assert.Single(Compute.Calls));
        var call = Compute.Calls.Single();
        Assert.Equal(InstanceAction.Start, call.Action);
        Assert.Equal([fleet[0].Ref], call.Targets);
    }

    [Fact]
    public void Actions_OnlyRunningSelected_StartIsDisabledAndRebootIsNot()
    {
        Inventory.Add(TestData.Fleet(2));
        SignIn("olga", Role.Operator);
        var page = RenderPage<InstancesPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("tbody input[type=checkbox]").Count));

        SelectRows(page, 0, 1);

        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=action-reboot]").HasAttribute("disabled")));
        Assert.True(page.Find("[data-testid=action-start]").HasAttribute("disabled"));
        Assert.Contains("2 already running", page.Find("[data-testid=action-start]").GetAttribute("title"), StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=action-hibernate]"));
    }

    [Fact]
    public void Stop_OperatorCancelsTheDialog_NothingHappens()
    {
        Inventory.Add(TestData.Fleet(2));
        SignIn("olga", Role.Operator);
        var page = RenderPage<InstancesPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("tbody input[type=checkbox]").Count));

        SelectRows(page, 0);
        page.Find("[data-testid=action-stop]").Click();
        ConfirmDialog("Cancel");

        Assert.Empty(Compute.Calls);
        Assert.Empty(AuditLog.Records);
    }

    private static void SelectRows(IRenderedComponent<InstancesPage> page, params int[] rows)
    {
        foreach (var row in rows)
        {
            page.FindAll("tbody input[type=checkbox]")[row].Change(true);
        }
    }

    private void ConfirmDialog(string buttonText)
    {
        DialogProvider.WaitForAssertion(() => Assert.Contains(DialogProvider.FindAll("button"), b => b.TextContent.Trim() == buttonText));
        DialogProvider.FindAll("button").First(b => b.TextContent.Trim() == buttonText).Click();
    }
}
