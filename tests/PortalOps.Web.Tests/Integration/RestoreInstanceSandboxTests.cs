using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Domain.Security;
using PortalOps.Web.Tests.Fakes;

namespace PortalOps.Web.Tests.Integration;

/// <summary>
/// The whole portal on the Sandbox: a backup image is in the launch wizard's catalog, the wizard opens on it, and a restore through the
/// host's own registrations launches one instance from it.
/// </summary>
public sealed class RestoreInstanceSandboxTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task BackupImage_OnTheSandbox_IsInTheCatalog_OpensTheWizard_AndRestoresOneInstance()
    {
        portal.With("Backups:ApproveRestores", "false").With("Backups:SandboxFailureRate", "0");
        var user = await portal.CreateUserAsync("restore-olga", Role.Operator);
        var scope = new CloudScope(TestData.SandboxAccount, TestData.EuWest);
        using var services = portal.Services.CreateScope();
        var sp = services.ServiceProvider;
        var source = (await sp.GetRequiredService<IInventory>().QueryAsync(new InstanceQuery { Region = TestData.EuWest, PageSize = InstanceQuery.MaxPageSize })).Items
            .First(i => i.State == InstanceState.Running && i.Platform == "Linux/UNIX" && !i.HibernationConfigured && i.Tags.ContainsKey("team") && i.InstanceType.StartsWith("t3", StringComparison.Ordinal));
        var cloud = sp.GetRequiredService<IBackupCloud>();
        var image = (await cloud.CreateImageAsync(source.Ref, "it-backup", false, new Dictionary<string, string>
        {
            [BackupTags.Policy] = Guid.NewGuid().ToString("N"), [BackupTags.Rule] = "daily", [BackupTags.Instance] = source.InstanceId,
        })).ResourceIds[0];
        portal.Clock.Advance(TimeSpan.FromHours(1));

        Assert.Contains(await sp.GetRequiredService<IImageCatalog>().SearchAsync(scope, null, "self"), i => i.ImageId == image);
        using var client = await portal.LoginAsync("restore-olga");
        var page = await client.GetStringAsync($"/instances/launch?restoreFrom={scope.AccountId}/{scope.Region}/{image}");
        Assert.Contains($"Restore an instance from {image}", page, StringComparison.Ordinal);

        var spec = new LaunchSpec
        {
            AccountId = scope.AccountId, Region = scope.Region, AvailabilityZone = source.AvailabilityZone, InstanceType = source.InstanceType, ImageId = image,
            SubnetId = source.SubnetId, SecurityGroupIds = source.SecurityGroupIds.ToList(), VolumeSizeGiB = Math.Max(8, source.Volumes.FirstOrDefault()?.SizeGiB ?? 8),
            Name = "it-restored", Tags = source.Tags.Where(t => t.Key != "Name").ToDictionary(t => t.Key, t => t.Value),
        };
        var result = await sp.GetRequiredService<BackupActions>().RestoreInstanceAsync(user.AsActor(Channel.Web), spec, "it-restore-1");

        Assert.Equal(ActionStatus.Executed, result.Status);
        var made = await sp.GetRequiredService<IInventory>().FindAsync(Assert.Single(result.Created));
        Assert.NotNull(made);
        Assert.Equal((image, "it-restored", image), (made.ImageId, made.Name, made.Tags[RestoreLaunch.RestoredFromTag]));
    }
}
