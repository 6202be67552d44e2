using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Instances;

namespace PortalOps.Jobs.Tests.Fixtures;

/// <summary>A host wired the way the web host wires the back end, with fakes for the cloud.</summary>
public static class TestHost
{
    public static IHost Build(TestDatabase database, string role, ICompute compute, IDictionary<string, string?>? extra = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = database.DataDirectory,
            EnvironmentName = Environments.Development,
        });
        builder.Configuration.AddInMemoryCollection(database.Configuration);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Jobs:Role"] = role,
            ["Jobs:QueuePollInterval"] = "00:00:00.200",
            ["Jobs:WorkerCount"] = "2",
        });
        if (extra is not null)
        {
            builder.Configuration.AddInMemoryCollection(extra);
        }

        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }));
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Builders.Epoch.AddMinutes(1)));
        builder.Services.AddDomain();
        builder.Services.AddPersistence(builder.Configuration, builder.Environment);
        builder.Services.AddBackgroundJobs(builder.Configuration);

        // The cloud behind the ports: the Sandbox for the ports these tests never call (launches, settings, snapshots …),
        // and a recording fake compute over an inventory of the instances the builders name, for the ones they do (registered last, so they win).
        builder.Services.AddSingleton<PortalOps.Domain.Instances.IFleetEvents, PortalOps.Jobs.Instances.FleetEvents>();
        builder.Services.AddSandbox();
        builder.Services.AddSingleton(compute);
        builder.Services.AddSingleton<IInventory, BuilderInventory>();
        return builder.Build();
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed > timeout)
            {
                throw new TimeoutException($"Gave up after {timeout.TotalSeconds:0} s waiting for {what}.");
            }

            await Task.Delay(50);
        }
    }
}
