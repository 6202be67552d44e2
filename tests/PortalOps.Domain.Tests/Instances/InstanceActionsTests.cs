using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Tests.Instances;

public sealed class InstanceActionsTests
{
    [Theory]
    [InlineData(InstanceState.Running, InstanceAction.Start, false)]
    [InlineData(InstanceState.Terminated, InstanceAction.Start, false)]
    [InlineData(InstanceState.Stopped, InstanceAction.Start, true)]
    [InlineData(InstanceState.Stopped, InstanceAction.Reboot, false)]
    [InlineData(InstanceState.Running, InstanceAction.Reboot, true)]
    [InlineData(InstanceState.Stopped, InstanceAction.Stop, false)]
    [InlineData(InstanceState.Pending, InstanceAction.Stop, true)]
    [InlineData(InstanceState.Terminated, InstanceAction.Terminate, false)]
    [InlineData(InstanceState.ShuttingDown, InstanceAction.Terminate, false)]
    [InlineData(InstanceState.Stopped, InstanceAction.Terminate, true)]
    public void Allows_StateAndAction_AnswersWhetherItMakesSense(InstanceState state, InstanceAction action, bool expected) =>
        Assert.Equal(expected, InstanceActions.Allows(state, action));

    [Fact]
    public void Allows_HibernateOnRunningInstanceNotLaunchedForIt_IsRefusedWithTheReason()
    {
        var plain = Make.Instance("i-1");
        var hibernating = Make.Instance("i-2") with { HibernationConfigured = true };

        Assert.False(InstanceActions.Allows(plain, InstanceAction.Hibernate));
        Assert.Equal("not launched with hibernation", InstanceActions.WhyNot(plain, InstanceAction.Hibernate));
        Assert.True(InstanceActions.Allows(hibernating, InstanceAction.Hibernate));
    }

    [Fact]
    public void Allowed_StoppedInstance_OffersStartAndTerminateOnly() =>
        Assert.Equal([InstanceAction.Start, InstanceAction.Terminate], InstanceActions.Allowed(Make.Instance("i-1", state: InstanceState.Stopped)));

    [Fact]
    public void Split_StartOnMixedSelection_KeepsStoppedAndSaysHowManyAreSkippedAndWhy()
    {
        Instance[] selected =
        [
            Make.Instance("i-1", state: InstanceState.Stopped),
            Make.Instance("i-2", state: InstanceState.Running),
            Make.Instance("i-3", state: InstanceState.Running),
            Make.Instance("i-4", state: InstanceState.Terminated),
            Make.Instance("i-5", state: InstanceState.Stopped),
        ];

        var split = InstanceActions.Split(InstanceAction.Start, selected);

        Assert.Equal(["i-1", "i-5"], split.Eligible.Select(i => i.InstanceId));
        Assert.Equal(["i-2", "i-3", "i-4"], split.Skipped.Select(s => s.Instance.InstanceId));
        Assert.Equal("3 of 5 selected will be skipped: 2 already running, 1 terminated.", split.SkipSummary);
    }

    [Fact]
    public void Split_EveryInstanceAllowsIt_SkipsNothing()
    {
        var split = InstanceActions.Split(InstanceAction.Reboot, [Make.Instance("i-1"), Make.Instance("i-2")]);

        Assert.Equal(2, split.Eligible.Count);
        Assert.Null(split.SkipSummary);
    }
}
