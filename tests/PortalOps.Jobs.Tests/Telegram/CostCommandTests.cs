using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Costs;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Costs;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>/cost and /savings over the sandbox's bill and a scan of its fleet; Apply goes to the pipeline and waits for approval.</summary>
public sealed class CostCommandTests : IAsyncLifetime
{
    private BotHarness _bot = null!;

    public async Task InitializeAsync()
    {
        // The bot harness runs no Hangfire, so the on-demand scan request (a Hangfire enqueue) is left out; the test scans directly.
        _bot = await BotHarness.StartAsync(services: s => s.AddCosts().RemoveAll<CostScanRequests>());
        await using var scope = _bot.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<CostScanner>().ScanAsync();
    }

    public async Task DisposeAsync() => await _bot.DisposeAsync();

    [Fact]
    public async Task Cost_WholeAccountScope_ShowsMonthToDateForecastAndTopMovers()
    {
        var person = await _bot.LinkAsync(await _bot.AddUserAsync("fiona", Role.Viewer, "000000000000/*"), 11);

        var reply = await _bot.AskAsync(person, "/cost", "Month to date");

        Assert.Contains("Forecast:", reply.Text, StringComparison.Ordinal);
        Assert.Contains("<b>Top movers</b>", reply.Text, StringComparison.Ordinal);
        Assert.Equal(5, reply.Text.Split('\n').Count(l => l.StartsWith("• ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Cost_RegionalScope_GetsNoAccountBill()
    {
        var person = await _bot.LinkAsync(await _bot.AddUserAsync("rosa", Role.Viewer, "000000000000/eu-west-1"), 12);

        var reply = await _bot.AskAsync(person, "/cost", "covers a whole account");

        Assert.DoesNotContain("Month to date", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Savings_Operator_PressesApply_AndTheRequestWaitsForApproval()
    {
        var person = await _bot.LinkAsync(await _bot.AddUserAsync("olga", Role.Operator), 13);

        var list = await _bot.AskAsync(person, "/savings", "recommendation(s)");
        Assert.Contains(list.AllButtons, b => b.Text == "Apply 1");
        _bot.Api.Press(person, list, "Apply 1");

        await _bot.Api.WaitForTextAsync(13, "waits for approval");
        var pending = Assert.Single(await _bot.Services.GetRequiredService<IApprovalStore>().ListAsync(ApprovalStatus.Pending, 10));
        Assert.Equal(CostRecommendations.ApprovalRule, pending.Rule);
    }

    [Fact]
    public async Task Savings_Viewer_SeesTheListWithoutApplyButtons_AndAnotherScopeSeesNone()
    {
        var viewer = await _bot.LinkAsync(await _bot.AddUserAsync("vera", Role.Viewer), 14);
        var stranger = await _bot.LinkAsync(await _bot.AddUserAsync("otto", Role.Operator, "111111111111/*"), 15);

        var list = await _bot.AskAsync(viewer, "/savings", "recommendation(s)");
        await _bot.AskAsync(stranger, "/savings", "No open cost recommendations");

        Assert.Empty(list.AllButtons);
    }
}
