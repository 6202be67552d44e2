using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Tests.Fakes;
using PortalOps.Domain.Tests.Monitoring;

namespace PortalOps.Domain.Tests.Patching;

public sealed class MonitoringHealthGateTests
{
    private static readonly InstanceRef A = Make.Instance("i-aaa").Ref;
    private static readonly InstanceRef B = Make.Instance("i-bbb").Ref;
    private static readonly DateTimeOffset Installed = Make.Now;

    private readonly InMemoryMetricStore _metrics = new();
    private readonly InMemoryAlertStore _alerts = new();
    private readonly FakeStatusReader _live = new();

    [Fact]
    public async Task Check_BothRunningAndOk_NoAlert_Passes()
    {
        var result = await Gate().CheckAsync([A, B], Installed);

        Assert.Equal(HealthGateResult.Pass, result);
        Assert.Equal([A, B], _live.Asked.Single());
    }

    [Theory]
    [InlineData(InstanceState.Stopped, "i-bbb is stopped")]
    [InlineData(InstanceState.Stopping, "i-bbb is stopping")]
    [InlineData(InstanceState.ShuttingDown, "i-bbb is shutting down")]
    [InlineData(InstanceState.Terminated, "i-bbb is terminated")]
    public async Task Check_InstanceDown_Fails_NamingIt(InstanceState state, string expected)
    {
        _live.Set(B, state, CheckStatus.NotApplicable, CheckStatus.NotApplicable);

        var result = await Gate().CheckAsync([A, B], Installed);

        Assert.False(result.Healthy);
        Assert.False(result.Held);
        Assert.StartsWith(expected, result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_InstanceNoLongerReported_Fails()
    {
        _live.Gone.Add(A);

        var result = await Gate().CheckAsync([A, B], Installed);

        Assert.False(result.Held);
        Assert.Equal("i-aaa is no longer reported by EC2 (terminated and gone).", result.Problem);
    }

    [Theory]
    [InlineData(CheckStatus.Impaired, CheckStatus.Ok, "system impaired, instance ok")]
    [InlineData(CheckStatus.Ok, CheckStatus.Impaired, "system ok, instance impaired")]
    public async Task Check_StatusCheckImpaired_Fails(CheckStatus system, CheckStatus instance, string expected)
    {
        _live.Set(A, InstanceState.Running, system, instance);

        var result = await Gate().CheckAsync([A, B], Installed);

        Assert.False(result.Held);
        Assert.Equal($"i-aaa fails its EC2 status checks ({expected}).", result.Problem);
    }

    [Fact]
    public async Task Check_DownBeatsAnOpenAlert_TheWaveFailsRatherThanWaits()
    {
        await OpenAlertAsync(A, Installed.AddMinutes(1));
        _live.Set(B, InstanceState.Stopped, CheckStatus.NotApplicable, CheckStatus.NotApplicable);

        var result = await Gate().CheckAsync([A, B], Installed);

        Assert.False(result.Held);
        Assert.Contains("i-bbb is stopped", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_AlertOpenedAfterTheInstall_Holds_NamingInstanceAndRule()
    {
        await OpenAlertAsync(A, Installed.AddMinutes(2));

        var result = await Gate().CheckAsync([A, B], Installed);

        Assert.True(result.Held);
        Assert.False(result.Healthy);
        Assert.StartsWith("i-aaa: alert 'CPU high' open since", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_AlertOpenedBeforeTheInstall_OrOnAnotherInstance_DoesNotHold()
    {
        await OpenAlertAsync(A, Installed.AddMinutes(-30));
        await OpenAlertAsync(Make.Instance("i-elsewhere").Ref, Installed.AddMinutes(3));

        Assert.Equal(HealthGateResult.Pass, await Gate().CheckAsync([A, B], Installed));
    }

    [Theory]
    [InlineData(InstanceState.Pending, CheckStatus.Ok)]
    [InlineData(InstanceState.Running, CheckStatus.Initializing)]
    [InlineData(InstanceState.Running, CheckStatus.InsufficientData)]
    public async Task Check_NotSettledYet_Holds(InstanceState state, CheckStatus check)
    {
        _live.Set(A, state, CheckStatus.Ok, check);

        var result = await Gate().CheckAsync([A, B], Installed);

        Assert.True(result.Held);
        Assert.Contains("i-aaa", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_Ec2CannotBeRead_Holds_RatherThanPassingBlind()
    {
        _live.Error = new InvalidOperationException("Throttled in account 123456789012, region eu-west-1 (DescribeInstanceStatus)");

        var result = await Gate().CheckAsync([A, B], Installed);

        Assert.True(result.Held);
        Assert.Contains("could not be read", result.Problem, StringComparison.Ordinal);
        Assert.Contains("Throttled", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_WithoutLiveReader_UsesTheStoredStatusChecks()
    {
        _metrics.SetHealth(new InstanceHealth(B, "b", 10, null, null, true, CheckStatus.Impaired, CheckStatus.Ok, Installed));
        var gate = new MonitoringHealthGate(_metrics, _alerts);

        var result = await gate.CheckAsync([A, B], Installed);

        Assert.False(result.Held);
        Assert.Contains("i-bbb fails its EC2 status checks", result.Problem, StringComparison.Ordinal);
        _metrics.SetHealth(new InstanceHealth(B, "b", 10, null, null, false, CheckStatus.Ok, CheckStatus.Ok, Installed));
        Assert.Equal(HealthGateResult.Pass, await gate.CheckAsync([A, B], Installed));
    }

    private MonitoringHealthGate Gate() => new(_metrics, _alerts, _live);

    private Task OpenAlertAsync(InstanceRef instance, DateTimeOffset since) =>
        _alerts.AddAsync(Alert.Open(Rules.Rule(), [new AlertMember(instance, instance.InstanceId, since, 95, "cpu 95")], since));

    private sealed class FakeStatusReader : IInstanceStatusReader
    {
        private readonly Dictionary<InstanceRef, LiveInstanceStatus> _set = [];

        public List<IReadOnlyList<InstanceRef>> Asked { get; } = [];

        public HashSet<InstanceRef> Gone { get; } = [];

        public Exception? Error { get; set; }

        public void Set(InstanceRef instance, InstanceState state, CheckStatus system, CheckStatus check) => _set[instance] = new(instance, state, system, check);

        public Task<IReadOnlyList<LiveInstanceStatus>> ReadAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default)
        {
            Asked.Add(instances);
            if (Error is not null)
            {
                throw Error;
            }

            IReadOnlyList<LiveInstanceStatus> answer = instances.Where(i => !Gone.Contains(i))
                .Select(i => _set.GetValueOrDefault(i) ?? new LiveInstanceStatus(i, InstanceState.Running, CheckStatus.Ok, CheckStatus.Ok)).ToList();
            return Task.FromResult(answer);
        }
    }
}
