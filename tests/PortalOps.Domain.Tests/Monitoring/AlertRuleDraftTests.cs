using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Tests.Monitoring;

public sealed class AlertRuleDraftTests
{
    [Fact]
    public void Validate_AGoodDraft_HasNoErrors()
    {
        Assert.Empty(Rules.Draft().Validate(Rules.Period));
    }

    [Theory]
    [InlineData(Comparison.GreaterThan, 100)]
    [InlineData(Comparison.GreaterThan, 150)]
    [InlineData(Comparison.LessThan, 0)]
    [InlineData(Comparison.GreaterThanOrEqual, 100.5)]
    public void Validate_CpuThresholdThatCanNeverBeCrossed_IsRefusedAtTheThreshold(Comparison comparison, double threshold)
    {
        var errors = Rules.Draft(d => (d.Comparison, d.Threshold) = (comparison, threshold)).Validate(Rules.Period);

        Assert.Contains("never", errors[nameof(AlertRuleDraft.Threshold)], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NegativeNetworkThreshold_IsRefused()
    {
        var errors = Rules.Draft(d => (d.Metric, d.Comparison, d.Threshold) = (MetricKind.NetworkIn, Comparison.GreaterThan, -5)).Validate(Rules.Period);

        Assert.True(errors.ContainsKey(nameof(AlertRuleDraft.Threshold)));
    }

    [Fact]
    public void Validate_MissingThreshold_AsksForANumber()
    {
        Assert.Equal("Enter a number.", Rules.Draft(d => d.Threshold = null).Validate(Rules.Period)[nameof(AlertRuleDraft.Threshold)]);
    }

    [Theory]
    [InlineData(ScopeKind.Account, "")]
    [InlineData(ScopeKind.Region, "  ")]
    [InlineData(ScopeKind.Tag, null)]
    [InlineData(ScopeKind.AutoScalingGroup, "")]
    [InlineData(ScopeKind.Instance, "")]
    [InlineData(ScopeKind.Account, "12345")]
    [InlineData(ScopeKind.Instance, "web-1")]
    [InlineData(ScopeKind.Tag, "=prod")]
    public void Validate_EmptyOrMalformedScope_IsRefusedAtTheScope(ScopeKind kind, string? value)
    {
        var errors = Rules.Draft(d => (d.ScopeKind, d.ScopeValue) = (kind, value)).Validate(Rules.Period);

        Assert.True(errors.ContainsKey(nameof(AlertRuleDraft.ScopeValue)));
    }

    [Fact]
    public void Validate_MoreBreachingPeriodsThanLookedAt_IsRefusedAtN()
    {
        var errors = Rules.Draft(d => (d.DatapointsToAlarm, d.EvaluationPeriods) = (4, 3)).Validate(Rules.Period);

        Assert.Contains("between 1 and M (3)", errors[nameof(AlertRuleDraft.DatapointsToAlarm)], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(2000)]
    public void Validate_PeriodNotAMultipleOfCollection_IsRefused(int minutes)
    {
        Assert.True(Rules.Draft(d => d.PeriodMinutes = minutes).Validate(Rules.Period).ContainsKey(nameof(AlertRuleDraft.PeriodMinutes)));
    }

    [Fact]
    public void Validate_NobodyToTell_IsRefused()
    {
        Assert.True(Rules.Draft(d => d.NotifyRole = null).Validate(Rules.Period).ContainsKey(nameof(AlertRuleDraft.NotifyRole)));
    }

    [Fact]
    public void Validate_AnomalyBandOutOfRange_IsRefused()
    {
        Assert.True(Rules.Draft(d => (d.Kind, d.Threshold) = (RuleKind.Anomaly, 0)).Validate(Rules.Period).ContainsKey(nameof(AlertRuleDraft.Threshold)));
        Assert.Empty(Rules.Draft(d => (d.Kind, d.Threshold) = (RuleKind.Anomaly, 3)).Validate(Rules.Period));
    }

    [Fact]
    public void Validate_StatusCheckAndNoDataRules_NeedNoThreshold()
    {
        Assert.Empty(Rules.Draft(d => (d.Kind, d.Threshold) = (RuleKind.StatusCheck, null)).Validate(Rules.Period));
        Assert.Empty(Rules.Draft(d => (d.Kind, d.Threshold, d.DatapointsToAlarm) = (RuleKind.NoData, null, 99)).Validate(Rules.Period));
    }

    [Fact]
    public void Validate_TerminateOrBadParameters_AreNotCorrectiveActions()
    {
        Assert.True(Rules.Draft(d => d.Actions = [new CorrectiveAction(ActionKind.TerminateInstances.Name, ActionMode.Automatic)]).Validate(Rules.Period).ContainsKey(nameof(AlertRuleDraft.Actions)));
        Assert.True(Rules.Draft(d => d.Actions = [new CorrectiveAction(ActionKind.ScaleOutGroup.Name, ActionMode.Offered, new Dictionary<string, string> { ["count"] = "50" })]).Validate(Rules.Period).ContainsKey(nameof(AlertRuleDraft.Actions)));
        Assert.True(Rules.Draft(d => d.Actions = [new CorrectiveAction(ActionKind.RunDocument.Name, ActionMode.Offered)]).Validate(Rules.Period).ContainsKey(nameof(AlertRuleDraft.Actions)));
        Assert.Empty(Rules.Draft(d => d.Actions = [new CorrectiveAction(ActionKind.RebootInstances.Name, ActionMode.Offered), new CorrectiveAction(ActionKind.ScaleOutGroup.Name, ActionMode.Automatic, new Dictionary<string, string> { ["count"] = "2" })]).Validate(Rules.Period));
    }

    [Fact]
    public void Validate_MirroringAnAnomalyRule_IsRefused()
    {
        Assert.True(Rules.Draft(d => (d.Kind, d.Threshold, d.MirrorToCloudWatch) = (RuleKind.Anomaly, 3, true)).Validate(Rules.Period).ContainsKey(nameof(AlertRuleDraft.MirrorToCloudWatch)));
    }

    [Fact]
    public void ToRule_ByAnOperator_IsRefused()
    {
        var operatorUser = Make.User("otto", Role.Operator, "*/*");

        var error = Assert.Throws<DomainException>(() => Rules.Draft().ToRule(Guid.NewGuid(), operatorUser, Make.Now, Rules.Period));

        Assert.Contains("Approvers and Admins", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToRule_WithErrors_Throws_AndAStatusCheckRuleFixesItsMetric()
    {
        Assert.Throws<DomainException>(() => Rules.Draft(d => d.ScopeValue = "").ToRule(Guid.NewGuid(), Rules.Owner, Make.Now, Rules.Period));

        var rule = Rules.Rule(d => (d.Kind, d.Metric) = (RuleKind.StatusCheck, MetricKind.Cpu));

        Assert.Equal((MetricKind.StatusCheck, 1.0, Rules.Owner.Id), (rule.Metric, rule.Threshold, rule.OwnerId));
        Assert.Equal(rule.ToDraft().Validate(Rules.Period), new Dictionary<string, string>());
    }

    [Theory]
    [InlineData(ScopeKind.Account, "*", true)]
    [InlineData(ScopeKind.Account, Make.DevAccount, false)]
    [InlineData(ScopeKind.Region, "eu-west-1", true)]
    [InlineData(ScopeKind.Tag, "env=PROD", true)]
    [InlineData(ScopeKind.Tag, "team", true)]
    [InlineData(ScopeKind.AutoScalingGroup, "web-asg", true)]
    [InlineData(ScopeKind.Instance, "i-0other", false)]
    public void Scope_Covers_TheInstancesItNames(ScopeKind kind, string value, bool covered)
    {
        var instance = Make.Instance("i-0web1", tags: ["env=prod", "team=web", "aws:autoscaling:groupName=web-asg"]);

        Assert.Equal(covered, new RuleScope(kind, value).Covers(instance));
    }
}
