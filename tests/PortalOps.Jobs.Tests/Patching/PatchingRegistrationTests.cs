using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Patching;
using PortalOps.Jobs.Sandbox;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Patching;

/// <summary>The back end as the host wires it (<c>AddJobs</c>, the Sandbox cloud): the patch health gate gets the cloud's live instance status.</summary>
public sealed class PatchingRegistrationTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateSqliteAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task HealthGate_AsRegistered_ReadsTheSandboxInstancesLive_AStoppedOneFails()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = _database.DataDirectory,
            EnvironmentName = Environments.Development,
        });
        builder.Configuration.AddInMemoryCollection(_database.Configuration);
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }));
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 2, 0, 0, TimeSpan.Zero))); // no status check failing at 02:00
        builder.Services.AddDomain();
        builder.Services.AddJobs(builder.Configuration, builder.Environment);
        using var host = builder.Build();

        Assert.IsType<SandboxInstanceStatus>(host.Services.GetRequiredService<IInstanceStatusReader>());
        var gate = host.Services.GetRequiredService<IPatchHealthGate>();
        var fleet = await Fleet.AllAsync(host.Services.GetRequiredService<IInventory>());
        var running = fleet.First(i => i.State == InstanceState.Running).Ref;
        var stopped = fleet.First(i => i.State == InstanceState.Stopped).Ref;
        var since = new DateTimeOffset(2026, 11, 25, 1, 50, 0, TimeSpan.Zero);

        Assert.Equal(HealthGateResult.Pass, await gate.CheckAsync([running], since));
        var result = await gate.CheckAsync([running, stopped], since);
        Assert.False(result.Held);
        Assert.Equal($"{stopped.InstanceId} is stopped.", result.Problem);
    }
}
