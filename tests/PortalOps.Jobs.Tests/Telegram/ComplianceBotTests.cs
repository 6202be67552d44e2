using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Compliance;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>/compliance in a chat: the scoped score, the worst policies as buttons, and Remediate / Grant exception through the pipeline.</summary>
public sealed class ComplianceBotTests : IAsyncLifetime
{
    private const string Sandbox = "000000000000";
    private BotHarness _bot = null!;

    public async Task InitializeAsync()
    {
        // The bot's host has no Hangfire client; asking for a scan is the web page's, not the bot's.
        _bot = await BotHarness.StartAsync(services: s => s.AddCompliance().RemoveAll<ComplianceScanRequests>());
        using var scope = _bot.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<ComplianceScanner>().ScanAsync();
    }

    public async Task DisposeAsync() => await _bot.DisposeAsync();

    [Fact]
    public async Task Compliance_ViewerOfAnotherAccount_SeesNoScore()
    {
        var otto = await _bot.LinkAsync(await _bot.AddUserAsync("otto", Role.Viewer, "222222222222/*"), 500);

        var answer = await _bot.AskAsync(otto, "/compliance", "No compliance scan");

        Assert.Empty(answer.AllButtons);
        Assert.DoesNotContain(Sandbox, answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compliance_Viewer_SeesScoreAndWorstPoliciesButCannotAct()
    {
        var vera = await _bot.LinkAsync(await _bot.AddUserAsync("vera", Role.Viewer, $"{Sandbox}/*"), 501);

        var summary = await _bot.AskAsync(vera, "/compliance", "Worst policies");

        Assert.Contains("%", summary.Text, StringComparison.Ordinal);
        Assert.InRange(summary.AllButtons.Count(), 1, ComplianceTelegramLimits.Worst);
        var policy = Remediable(summary);
        _bot.Api.Press(vera, summary, policy);
        var findings = await _bot.Api.WaitForTextAsync(501, "open finding(s) you can see");
        Assert.Empty(findings.AllButtons);
        Assert.Contains("Viewer", findings.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemediateAndExcept_FromTheBot_BecomeRequestsThroughThePipeline()
    {
        var olga = await _bot.LinkAsync(await _bot.AddUserAsync("olga", Role.Operator, $"{Sandbox}/*"), 502);
        var paul = await _bot.LinkAsync(await _bot.AddUserAsync("paul", Role.Approver, $"{Sandbox}/*"), 503);

        var summary = await _bot.AskAsync(olga, "/compliance", "Worst policies");
        var policy = Remediable(summary);
        _bot.Api.Press(olga, summary, policy);
        var list = await _bot.Api.WaitForTextAsync(502, "open finding(s) you can see");
        Assert.All(list.AllButtons, b => Assert.StartsWith("🔧 Remediate", b.Text, StringComparison.Ordinal));
        var fix = list.AllButtons.First();
        var resourceId = fix.Text["🔧 Remediate ".Length..];

        _bot.Api.Press(olga, list, fix.Text);

        await _bot.Api.WaitForTextAsync(502, "waits for approval");
        var approvals = _bot.Services.GetRequiredService<IApprovalStore>();
        var request = Assert.Single(await approvals.ListAsync(ApprovalStatus.Pending, 100));
        Assert.Equal((ActionKind.Remediate, policy), (request.Kind, request.Parameters[RemediationExecutor.PolicyParameter]));
        Assert.Equal([resourceId], request.Targets.Select(t => t.Ref.InstanceId));

        // A second press of the same button asks nothing more.
        _bot.Api.Press(olga, list, fix.Text);
        await _bot.Api.WaitForMessageAsync(502, _ => _bot.Api.CallsOf("answerCallbackQuery").Any(c => c.Body.ToJsonString().Contains("already used", StringComparison.Ordinal)), "the second press refused");
        Assert.Single(await approvals.ListAsync(ApprovalStatus.Pending, 100));

        var again = await _bot.AskAsync(paul, "/compliance", "Worst policies");
        _bot.Api.Press(paul, again, policy);
        var forPaul = await _bot.Api.WaitForTextAsync(503, "open finding(s) you can see");
        _bot.Api.Press(paul, forPaul, $"Except {resourceId}");

        await _bot.Api.WaitForTextAsync(503, "waits for approval (compliance exception)");
        var exception = (await approvals.ListAsync(ApprovalStatus.Pending, 100)).Single(r => r.Kind == ActionKind.GrantException);
        Assert.Equal([resourceId], exception.Targets.Select(t => t.Ref.InstanceId));
        Assert.Equal("paul", exception.Parameters["owner"]);
    }

    /// <summary>The first of the worst policies that has a remediation.</summary>
    private static string Remediable(SentMessage summary)
    {
        var ids = summary.AllButtons.Select(b => b.Text[..b.Text.IndexOf(" (", StringComparison.Ordinal)]).ToList();
        return ids.FirstOrDefault(id => BuiltInPolicies.All.Single(p => p.Id == id).Remediation is not null)
            ?? throw new InvalidOperationException($"None of the worst policies has a remediation: {string.Join(", ", ids)}");
    }

    private static class ComplianceTelegramLimits
    {
        public const int Worst = PortalOps.Jobs.Telegram.Compliance.ComplianceTelegram.WorstShown;
    }
}
