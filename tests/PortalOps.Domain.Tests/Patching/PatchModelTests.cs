using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;
using PortalOps.Domain.Tests.Fakes;

namespace PortalOps.Domain.Tests.Patching;

public sealed class PatchModelTests
{
    private static readonly Actor Approver = Make.Actor("alice", Role.Approver, "*/*");

    private static PatchBaselineDraft Draft(string os = "AMAZON_LINUX_2023", string[]? classes = null, string[]? severities = null, int days = 7, string[]? approved = null, string[]? rejected = null) =>
        new("al2023", os, classes ?? ["Security"], severities ?? ["Critical", "Important"], days, approved ?? [], rejected ?? []);

    [Fact]
    public void Draft_UnknownClassificationOrSeverity_RefusedAtTheField()
    {
        var problems = Draft(classes: ["Security", "Sometimes"], severities: ["Moderate"]).Problems();
        Assert.Contains("'Sometimes'", problems[PatchBaselineDraft.ClassificationsField], StringComparison.Ordinal);
        Assert.Contains("'Moderate'", problems[PatchBaselineDraft.SeveritiesField], StringComparison.Ordinal); // a Windows severity, not Amazon Linux's
        Assert.Empty(Draft(os: "WINDOWS", classes: ["SecurityUpdates"], severities: ["Moderate"]).Problems());
    }

    [Fact]
    public void Draft_OtherBadFields_EachNamed()
    {
        var problems = new PatchBaselineDraft(" ", "BEOS", [], [], 400, ["ok-1"], ["ok-1", "bad patch"]).Problems();
        Assert.Contains(PatchBaselineDraft.NameField, problems.Keys);
        Assert.Contains(PatchBaselineDraft.OperatingSystemField, problems.Keys);
        Assert.Contains(PatchBaselineDraft.ApproveAfterDaysField, problems.Keys);
        Assert.Contains(PatchBaselineDraft.RejectedPatchesField, problems.Keys);
        Assert.Contains("both approved and rejected", Draft(approved: ["openssl"], rejected: ["openssl"]).Problems()[PatchBaselineDraft.RejectedPatchesField], StringComparison.Ordinal);
        var refused = Assert.Throws<PatchBaselineException>(() => PatchBaseline.Create(Draft(days: -1), Approver, Make.Now));
        Assert.Equal([PatchBaselineDraft.ApproveAfterDaysField], refused.Problems.Keys);
    }

    [Fact]
    public void Baseline_Revise_NewVersion_KeepsOperatingSystem()
    {
        var v1 = PatchBaseline.Create(Draft(), Approver, Make.Now);
        var v2 = v1.Revise(Draft(days: 3), Approver, Make.Now.AddHours(1));
        Assert.Equal((v1.Id, 2, 3), (v2.Id, v2.Version, v2.ApproveAfterDays));
        Assert.Equal(7, v1.ApproveAfterDays);
        Assert.Throws<PatchBaselineException>(() => v1.Revise(Draft(os: "UBUNTU", classes: ["Security"], severities: ["Required"]), Approver, Make.Now));
    }

    [Fact]
    public void Baseline_Approves_AfterDelay_ExplicitListsWin()
    {
        var b = PatchBaseline.Create(Draft(days: 7, approved: ["kernel-6.1"], rejected: ["openssl-3.0.8"]), Approver, Make.Now);
        var fresh = new AvailablePatch("curl-8", "Security", "Critical", Make.Now.AddDays(-2));
        Assert.False(b.Approves(fresh, Make.Now));
        Assert.True(b.Approves(fresh, Make.Now.AddDays(5)));
        Assert.False(b.Approves(new AvailablePatch("vim-9", "Enhancement", "Low", Make.Now.AddDays(-30)), Make.Now));
        Assert.True(b.Approves(new AvailablePatch("kernel-6.1", "Enhancement", "Low", Make.Now), Make.Now));
        Assert.False(b.Approves(new AvailablePatch("openssl-3.0.8", "Security", "Critical", Make.Now.AddDays(-30)), Make.Now));
    }

    [Fact]
    public async Task Baselines_EditedByApprovers_EveryChangeAndRefusalAudited()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Make.Now);
        var audit = new InMemoryAuditLog(clock);
        var catalog = new InMemoryPatchCatalog();
        var baselines = new PatchBaselines(catalog, audit, clock);

        await Assert.ThrowsAsync<DomainException>(() => baselines.SaveAsync(Make.Actor("olga", Role.Operator, "*/*"), null, Draft()));
        var saved = await baselines.SaveAsync(Approver, null, Draft());
        var revised = await baselines.SaveAsync(Approver, saved.Id, Draft(days: 1));
        await Assert.ThrowsAsync<PatchBaselineException>(() => baselines.SaveAsync(Approver, saved.Id, Draft(classes: ["Nope"])));

        Assert.Equal([1, 2], (await catalog.HistoryAsync(saved.Id)).Select(b => b.Version));
        Assert.Equal(2, revised.Version);
        var events = (await audit.QueryAsync(new AuditQuery { PageSize = 50 })).Items.Select(r => r.Event).Where(e => e.Action == "patching.baseline").ToList();
        Assert.Equal(1, events.Count(e => e.Outcome == AuditOutcome.Denied));
        Assert.Equal(2, events.Count(e => e.Outcome == AuditOutcome.Succeeded));
    }

    [Theory]
    [InlineData(10, 10, 30, new[] { 1, 3, 3, 3 })]
    [InlineData(3, 10, 50, new[] { 1, 2 })]
    [InlineData(7, 100, 100, new[] { 7 })]
    [InlineData(1, 1, 1, new[] { 1 })]
    public void WavePlan_Sizes_CanaryFirst_AddUp(int count, int canary, int batch, int[] expected)
    {
        Assert.Equal(expected, WavePlan.Create(canary, batch).Sizes(count));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(101, 10)]
    [InlineData(10, 0)]
    [InlineData(10, 101)]
    public void WavePlan_ZeroOrOver100_Refused(int canary, int batch)
    {
        Assert.NotEmpty(WavePlan.Problems(canary, batch));
        Assert.Throws<DomainException>(() => WavePlan.Create(canary, batch));
    }

    [Fact]
    public void AgentStatus_SaysWhyAndHowToFix()
    {
        var running = Make.Instance("i-1");
        var notManaged = AgentStatus.Of(running, null, Make.Now);
        Assert.Equal(AgentPing.NotManaged, notManaged.Ping);
        Assert.Contains("AmazonSSMManagedInstanceCore", notManaged.Fix, StringComparison.Ordinal);

        var lost = AgentStatus.Of(running, new ManagedInstance("i-1", "ConnectionLost", "Amazon Linux", "3.2.0.0", Make.Now.AddHours(-3)), Make.Now);
        Assert.Equal(AgentPing.ConnectionLost, lost.Ping);
        Assert.Contains("3 h ago", lost.Reason, StringComparison.Ordinal);

        var stopped = AgentStatus.Of(Make.Instance("i-2", state: InstanceState.Stopped), null, Make.Now);
        Assert.Equal(AgentPing.NotRunning, stopped.Ping);
        Assert.True(AgentStatus.Of(running, new ManagedInstance("i-1", "Online", "Amazon Linux", "3.3.0.0", Make.Now), Make.Now).IsOnline);
    }

    private static InstancePatchState State(string id, string account = Make.ProdAccount, string? group = "web", int critical = 0, int security = 0, int missing = 0, int pendingReboot = 0, DateTimeOffset? scanned = null)
    {
        var instance = Make.Instance(id, account);
        return new InstancePatchState(instance.Ref, id, Footprint.Of(account, instance.Region, instance.Tags), group, AgentStatus.Of(instance, new ManagedInstance(id, "Online", null, null, null), Make.Now))
        {
            CriticalNonCompliant = critical, SecurityNonCompliant = security, Missing = missing + critical + security, InstalledPendingReboot = pendingReboot, LastScanAt = scanned ?? Make.Now.AddHours(-1),
        };
    }

    [Fact]
    public void Compliance_BySeverity_UnknownWhenStaleOrNeverScanned()
    {
        Assert.Equal(PatchComplianceLevel.Compliant, State("a").Compliance(Make.Now));
        Assert.Equal(PatchComplianceLevel.NonCompliantCritical, State("a", critical: 1, security: 2).Compliance(Make.Now));
        Assert.Equal(PatchComplianceLevel.NonCompliantSecurity, State("a", security: 2).Compliance(Make.Now));
        Assert.Equal(PatchComplianceLevel.NonCompliantOther, State("a", missing: 1).Compliance(Make.Now));
        Assert.Equal(PatchComplianceLevel.NonCompliantOther, State("a", pendingReboot: 1).Compliance(Make.Now));
        Assert.Equal(PatchComplianceLevel.Unknown, State("a", scanned: Make.Now.AddDays(-8)).Compliance(Make.Now));
        Assert.Equal(PatchComplianceLevel.Unknown, (State("a") with { LastScanAt = null }).Compliance(Make.Now));
    }

    [Fact]
    public void Compliance_SummarizedPerGroupAccountRegion_ScopedTrend_SafeCsv()
    {
        var states = new[]
        {
            State("a", critical: 1), State("b"), State("c", group: null, security: 1), State("d", account: Make.DevAccount, missing: 2),
        };
        var byGroup = PatchCompliance.Summarize(states, PatchComplianceDimension.Group, Make.Now).ToDictionary(r => r.Key);
        Assert.Equal((1, 1, 0, 1), (byGroup["web"].Compliant, byGroup["web"].Critical, byGroup["web"].Security, byGroup["web"].Other));
        Assert.Equal(1, byGroup[PatchCompliance.NoGroup].Security);
        var byAccount = PatchCompliance.Summarize(states, PatchComplianceDimension.Account, Make.Now);
        Assert.Equal(Make.ProdAccount, byAccount[0].Key); // the critical one first
        Assert.Equal(2, PatchCompliance.Summarize(states, PatchComplianceDimension.Region, Make.Now).Count);

        var trend = PatchCompliance.Trend(PatchCompliance.Snapshot(states, Make.Now), new ReadScope([Scope.Parse($"{Make.DevAccount}/*")]));
        var day = Assert.Single(trend);
        Assert.Equal((0, 1), (day.Compliant, day.Other));

        var csv = PatchCompliance.ToCsv([new PatchComplianceRow("=cmd|calc", 1, 0, 0, 0, 0)], PatchComplianceDimension.Group);
        Assert.Contains("'=cmd|calc", csv, StringComparison.Ordinal);
        Assert.StartsWith("Group,Compliant,", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scanner_StoresEveryInstance_ScansOncePerInterval_ReadsManagedStates()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Make.Now);
        var fleet = Enumerable.Range(0, 120).Select(n => Make.Instance($"i-{n:000}", tags: ["Patch Group=web"])).ToList();
        var commands = new FakeRemoteCommands();
        foreach (var i in fleet.Take(110))
        {
            commands.Agents[i.InstanceId] = i.InstanceId == "i-005" ? "ConnectionLost" : "Online";
            commands.States[i.InstanceId] = new PatchState(i.InstanceId, "pb-1", 40, 2, 0, 0, "Scan", Make.Now.AddMinutes(-10)) { SecurityNonCompliant = 2 };
        }

        var store = new InMemoryPatchStateStore();
        var scanner = new PatchScanner(new FakeInventory(fleet), commands, store, new InMemoryPatchCatalog(), clock);
        var first = await scanner.ScanAsync(TimeSpan.FromHours(6));
        var second = await scanner.ScanAsync(TimeSpan.FromHours(6));

        Assert.Equal((120, 109, 3), (first.Instances, first.Online, first.ScanCommands));
        Assert.Equal(0, second.ScanCommands);
        Assert.All(commands.Sent, s => Assert.Equal("Scan", s.Parameters["Operation"][0]));
        Assert.Equal([110, 110], commands.PatchStateCallSizes); // the managed ones only; the adapter splits them into calls of 50
        var all = await store.ListAsync(new ReadScope([], Everything: true));
        Assert.Equal(120, all.Count);
        Assert.Equal(10, all.Count(s => s.Agent.Ping == AgentPing.NotManaged));
        Assert.Equal(PatchComplianceLevel.NonCompliantSecurity, all.Single(s => s.Instance.InstanceId == "i-000").Compliance(Make.Now));
        Assert.Equal(PatchComplianceLevel.Unknown, all.Single(s => s.Instance.InstanceId == "i-115").Compliance(Make.Now));
        var today = Assert.Single(store.Trend);
        Assert.Equal((110, 10), (today.Security, today.Unknown));
    }
}
