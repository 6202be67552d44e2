using PortalOps.Jobs;
using PortalOps.Web;
using PortalOps.Web.Configuration;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddPortalConfiguration(args);
    builder.UseWorkerListeners();
    builder.AddPortalTelemetry();

    builder.Services.AddDomain();
    builder.Services.AddJobs(builder.Configuration, builder.Environment);
    builder.Services.AddWebServices(builder.Configuration);

    var app = builder.Build();
    app.Services.ValidateConfiguration();
    await app.Services.GetRequiredService<PortalOps.Jobs.ScaleOut.SandboxNodeLock>().ClaimAsync(app.Services);
    await app.Services.MigrateDatabaseAsync();
    PortalOps.Jobs.ScaleOut.DataProtectionKeyCheck.CheckDataProtectionKeys(app.Services);
    app.UsePortal();
    await app.RunAsync();
    return 0;
}
catch (Exception error) when (ConfigurationErrors.IsOwnProcess && ConfigurationErrors.TryReport(error, Console.Error))
{
    return ConfigurationErrors.ExitCode;
}

public partial class Program;
