using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Instances.Leftovers;
using PortalOps.Web.Components.Pages.Instances.Templates;

namespace PortalOps.Web.Tests.Components.Pages.Instances;

/// <summary>Launch templates and the leftovers clean-up on the Sandbox account.</summary>
public sealed class ProvisioningPagesTests : SandboxPortalTestContext
{
    [Fact]
    public async Task Template_LaunchInOneClick_ConfirmsTheBlastRadiusAndLaunchesItsConfiguration()
    {
        var spec = await TemplateSpecAsync();
        var olga = SignIn("olga", Role.Operator);
        await Services.GetRequiredService<LaunchTemplates>().SaveAsync(olga.AsActor(Domain.Common.Channel.Web), null, "web", spec);
        var page = RenderPage<LaunchTemplatesPage>();

        page.WaitForElement("[data-testid=template-launch-web]").Click();
        DialogProvider.WaitForElement("[data-testid=confirm-blast-radius]");
        Assert.Contains("Launch 1 × t3.small in account 000000000000: eu-west-1 (eu-west-1b)", DialogProvider.Find("[data-testid=confirm-blast-radius]").TextContent, StringComparison.Ordinal);
        DialogProvider.Find("[data-testid=confirm-action]").Click();

        page.WaitForAssertion(() => Assert.StartsWith("Launched 1 instance(s) in eu-west-1b", page.Find("[data-testid=template-result]").TextContent.Trim(), StringComparison.Ordinal));
        var made = (await FleetAsync("eu-west-1")).Single(i => i.Name == "from-template");
        Assert.Equal(("t3.small", "eu-west-1b", "payments"), (made.InstanceType, made.AvailabilityZone, made.Tags["team"]));
    }

    [Fact]
    public async Task Template_Delete_RemovesItAndAudits()
    {
        var olga = SignIn("olga", Role.Operator);
        await Services.GetRequiredService<LaunchTemplates>().SaveAsync(olga.AsActor(Domain.Common.Channel.Web), null, "old", await TemplateSpecAsync());
        var page = RenderPage<LaunchTemplatesPage>();

        page.WaitForElement("[data-testid=template-delete-old]").Click();
        DialogProvider.WaitForElement("[data-testid=confirm-action]").Click();

        page.WaitForElement("[data-testid=templates-empty]");
        Assert.Empty(TemplateStore.All);
        Assert.Equal(AuditOutcome.Succeeded, Assert.Single(AuditLog.Events("template.delete")).Outcome);
    }

    [Fact]
    public async Task Leftovers_DeleteAnUnattachedVolume_GoesThroughThePipelineAndLeavesTheList()
    {
        var volume = (await Sandbox.VolumesAsync(new CloudScope(Account, "eu-west-1"))).First(v => v.AttachedTo is null);
        SignIn("olga", Role.Operator);
        var page = RenderPage<Leftovers>();

        page.WaitForElement($"[data-testid=leftover-{volume.VolumeId}]");
        var index = page.FindAll("[data-testid^=leftover-]").ToList().FindIndex(e => e.GetAttribute("data-testid") == $"leftover-{volume.VolumeId}");
        var pick = page.FindComponents<MudCheckBox<bool>>()[index];
        await page.InvokeAsync(() => pick.Instance.ValueChanged.InvokeAsync(true));
        page.Find("[data-testid=leftovers-delete-volumes]").Click();
        DialogProvider.WaitForElement("[data-testid=confirm-blast-radius]");
        Assert.Contains("Delete 1 volume(s) — account 000000000000: eu-west-1 (1)", DialogProvider.Find("[data-testid=confirm-blast-radius]").TextContent, StringComparison.Ordinal);
        DialogProvider.Find("[data-testid=confirm-action]").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll($"[data-testid=leftover-{volume.VolumeId}]")));
        Assert.DoesNotContain(await Sandbox.VolumesAsync(new CloudScope(Account, "eu-west-1")), v => v.VolumeId == volume.VolumeId);
        Assert.Equal(AuditOutcome.Succeeded, Assert.Single(AuditLog.Events(ActionKind.DeleteVolumes.Name)).Outcome);
    }

    [Fact]
    public async Task Leftovers_ReleaseAnIdleAddress_GoesThroughThePipeline()
    {
        var address = (await Sandbox.AddressesAsync(new CloudScope(Account, "eu-west-1"))).First(a => !a.IsAssociated);
        SignIn("olga", Role.Operator);
        var page = RenderPage<Leftovers>();
        page.WaitForElement($"[data-testid=leftover-{address.AllocationId}]");

        var index = page.FindAll("[data-testid^=leftover-]").ToList().FindIndex(e => e.GetAttribute("data-testid") == $"leftover-{address.AllocationId}");
        var pick = page.FindComponents<MudCheckBox<bool>>()[index];
        await page.InvokeAsync(() => pick.Instance.ValueChanged.InvokeAsync(true));
        page.Find("[data-testid=leftovers-release-addresses]").Click();
        DialogProvider.WaitForElement("[data-testid=confirm-action]").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll($"[data-testid=leftover-{address.AllocationId}]")));
        Assert.Single(AuditLog.Events(ActionKind.ReleaseAddresses.Name));
    }

    [Fact]
    public void Leftovers_Viewer_SeesThemButCannotCleanUp()
    {
        SignIn("vera", Role.Viewer);
        var page = RenderPage<Leftovers>();
        page.WaitForElement("[data-testid=leftovers-volumes]");
        Assert.Empty(page.FindAll("[data-testid=leftovers-delete-volumes]"));
        Assert.Empty(page.FindComponents<MudCheckBox<bool>>());
    }

    private async Task<LaunchSpec> TemplateSpecAsync()
    {
        var scope = new CloudScope(Account, "eu-west-1");
        return new LaunchSpec
        {
            AccountId = Account, Region = "eu-west-1", AvailabilityZone = "eu-west-1b", InstanceType = "t3.small",
            ImageId = (await Sandbox.LatestAsync(scope)).First(i => i.Architecture == "x86_64").ImageId,
            SubnetId = (await Sandbox.SubnetsAsync(scope)).First(s => s.AvailabilityZone == "eu-west-1b").SubnetId,
            VolumeSizeGiB = 8, Name = "from-template", Tags = new Dictionary<string, string> { ["team"] = "payments" },
        };
    }
}
