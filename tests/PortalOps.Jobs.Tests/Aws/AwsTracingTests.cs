using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Instances;
using PortalOps.Jobs.Aws;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests.Aws;

/// <summary>AWS calls traced and timed by service and operation, through the SDK's telemetry provider and our protocol client, on moto.</summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class AwsTracingTests(MotoServer moto) : IAsyncLifetime, IDisposable
{
    private readonly ConcurrentBag<Activity> _spans = [];
    private readonly ConcurrentBag<(string Service, string Method, string Outcome)> _timings = [];
    private ActivityListener? _listener;
    private MeterListener? _meters;

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AwsTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Add,
        };
        ActivitySource.AddActivityListener(_listener);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == AwsTracing.SourceName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            var t = tags.ToArray().ToDictionary(x => x.Key, x => x.Value?.ToString() ?? string.Empty);
            _timings.Add((t["rpc.service"], t["rpc.method"], t["outcome"]));
        });
        _meters.Start();
        AwsTracing.Enable();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _listener?.Dispose();
        _meters?.Dispose();
    }

    [Fact]
    public async Task SdkCall_DescribeInstances_SpanAndTimingNameServiceAndOperation()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);

        await ec2.DescribeInstancesAsync(new DescribeInstancesRequest());

        var span = Assert.Single(_spans, s => s.DisplayName == "EC2.DescribeInstances");
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("aws-api", span.GetTagItem("rpc.system"));
        Assert.Equal("DescribeInstances", span.GetTagItem("rpc.method"));
        Assert.Contains(_timings, t => t is { Method: "DescribeInstances", Outcome: "succeeded" } && t.Service.Contains("EC2", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ProtocolClient_InventoryRefresh_SpanPerCallWithServiceAndOperation()
    {
        await using var services = MotoAws.Provider(moto.Url, null, "us-east-1");

        var status = await services.GetRequiredService<IInventoryStatus>().RefreshAsync();

        Assert.True(status.Healthy);
        var span = Assert.Single(_spans, s => s.DisplayName.EndsWith(".DescribeInstances", StringComparison.Ordinal) && s.GetTagItem("cloud.region") is "us-east-1");
        Assert.Equal("DescribeInstances", span.GetTagItem("rpc.method"));
        Assert.NotNull(span.GetTagItem("rpc.service"));
        Assert.Contains(_timings, t => t is { Method: "DescribeInstances", Outcome: "succeeded" });
    }
}
