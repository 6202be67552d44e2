using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Instances.Launch;

namespace PortalOps.Web.Tests.Components.Pages.Instances.Launch;

/// <summary>The launch wizard on the Sandbox account: every field's bad value gets its message next to the field, and a good launch lands.</summary>
public sealed class LaunchWizardTests : SandboxPortalTestContext
{
    private const string EuWest = "eu-west-1";

    [Fact]
    public void Open_Operator_StartsOnPlacementWithTheFirstRegionZoneTypeAndLatestImage()
    {
        var page = Open();

        Assert.Equal(EuWest, page.Instance.Form.Region);
        Assert.Equal("eu-west-1a", page.Instance.Form.AvailabilityZone);
        Assert.Equal("t3.micro", page.Instance.Form.InstanceType);
        Assert.StartsWith("al2023", page.Instance.Context.Image?.Name, StringComparison.Ordinal);
        Assert.True(page.Instance.Form.Encrypted);
        Assert.True(page.Instance.Form.RequireImdsV2);
        Assert.NotNull(page.Instance.Form.SubnetId);
        Assert.NotEmpty(page.FindAll("[data-testid=launch-step-body-0]"));
    }

    [Fact]
    public async Task Account_NotManaged_SaysSoAtTheField()
    {
        var page = Open();
        await ChooseAsync(page, "Account", "999999999999");
        Assert.Equal("Account 999999999999 is not managed by PortalOps.", Error(page, LaunchFields.Account));
    }

    [Fact]
    public async Task Region_NotManaged_SaysSoAtTheField()
    {
        var page = Open();
        await ChooseAsync(page, "Region", "ap-south-1");
        Assert.Equal($"Region ap-south-1 is not managed in account {Account}.", Error(page, LaunchFields.Region));
    }

    [Fact]
    public async Task Zone_NotInTheRegion_SaysSoAtTheFieldAndNextStays()
    {
        var page = Open();
        await ChooseAsync(page, "Availability zone", "eu-west-1z");
        Next(page);

        Assert.Equal("eu-west-1z is not an availability zone of eu-west-1.", Error(page, LaunchFields.Zone));
        Assert.Equal(0, page.Instance.Step);
    }

    [Fact]
    public async Task InstanceType_NotOfferedInTheZone_SaysSoAtTheField()
    {
        var page = Open();
        await ChooseAsync(page, "Availability zone", "eu-west-1c");
        Next(page);
        await ChooseAsync(page, "Instance type", "m6g.large");

        Assert.Equal("m6g.large is not offered in eu-west-1c; choose one of the types listed for that zone.", Error(page, LaunchFields.InstanceType));
        Assert.DoesNotContain(page.Instance.Context.OfferedTypes, t => t.InstanceType == "m6g.large");
    }

    [Fact]
    public void InstanceType_List_ShowsVcpuMemoryAndPricePerHourAndMonth()
    {
        var page = Open();
        Next(page);

        var summary = page.Find("[data-testid=launch-type-summary]").TextContent;
        Assert.Contains("t3.micro · 2 vCPU · 1 GiB", summary, StringComparison.Ordinal);
        Assert.Contains("$0.0114/h", summary, StringComparison.Ordinal);
        Assert.Contains("$8.32/month", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Image_FromAnotherRegion_SaysAmisAreRegional()
    {
        var page = Open();
        var usImage = (await Sandbox.LatestAsync(new CloudScope(Account, "us-east-1")))[0].ImageId;
        GoTo(page, 2);
        await TypeAsync(page, "AMI id", usImage);

        Assert.Equal($"{usImage} does not exist in eu-west-1. AMIs are regional: copy it to eu-west-1 or choose an image from this region.", Error(page, LaunchFields.Image));
    }

    [Fact]
    public async Task Image_NotAnAmiId_SaysWhatOneLooksLike()
    {
        var page = Open();
        GoTo(page, 2);
        await TypeAsync(page, "AMI id", "ubuntu-latest");
        Assert.Equal("'ubuntu-latest' is not an AMI id (they start with ami-).", Error(page, LaunchFields.Image));
    }

    [Fact]
    public async Task Image_SearchByNameAndOwner_ListsMatchesToUse()
    {
        var page = Open();
        GoTo(page, 2);
        page.Find("input[data-testid=launch-image-search]").Change("golden");
        page.Find("[data-testid=launch-image-search-go]").Click();

        var golden = Assert.Single(page.Instance.SearchResults);
        Assert.Equal("golden-web-2024-11", golden.Name);
        page.Find($"[data-testid=launch-use-{golden.ImageId}]").Click();
        page.WaitForAssertion(() => Assert.Equal(golden.ImageId, page.Instance.Context.Image?.ImageId));
        Assert.Equal(20, page.Instance.Form.VolumeSizeGiB);
    }

    [Fact]
    public async Task Subnet_InAnotherZone_SaysWhichZoneItIsIn()
    {
        var page = Open();
        var other = page.Instance.Context.Subnets.First(s => s.AvailabilityZone == "eu-west-1b");
        GoTo(page, 3);
        await ChooseAsync(page, "Subnet", other.SubnetId);
        Assert.Equal($"Subnet {other.SubnetId} is in eu-west-1b, not in eu-west-1a.", Error(page, LaunchFields.Subnet));
    }

    [Fact]
    public async Task KeyPair_ThatDoesNotExist_SaysCreateOrImportIt()
    {
        var page = Open();
        GoTo(page, 3);
        await ChooseAsync(page, "Key pair", "old-laptop");
        Assert.Equal("Key pair 'old-laptop' does not exist in eu-west-1; create or import it there first, or launch without one.", Error(page, LaunchFields.KeyPair));
    }

    [Fact]
    public async Task SecurityGroup_ThatDoesNotExist_SaysSo()
    {
        var page = Open();
        GoTo(page, 3);
        var select = page.FindComponents<MudSelect<string>>().Single(s => s.Instance.MultiSelection);
        await page.InvokeAsync(() => select.Instance.SelectedValuesChanged.InvokeAsync(["sg-0deleted000000000"]));
        Assert.Equal("Security group sg-0deleted000000000 does not exist in eu-west-1.", Error(page, LaunchFields.SecurityGroups));
    }

    [Fact]
    public async Task SecurityGroup_OpenToTheWorldOnSsh_IsFlagged()
    {
        var page = Open();
        var open = page.Instance.Context.SecurityGroups.Single(g => g.Name == "ssh-from-anywhere");
        GoTo(page, 3);
        var select = page.FindComponents<MudSelect<string>>().Single(s => s.Instance.MultiSelection);
        await page.InvokeAsync(() => select.Instance.SelectedValuesChanged.InvokeAsync([open.GroupId]));
        Assert.Contains("opens port 22 (SSH) from 0.0.0.0/0 to the whole internet", page.Find("[data-testid=launch-open-port]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VolumeSize_SmallerThanTheImagesSnapshot_SaysTheMinimum()
    {
        var page = Open();
        GoTo(page, 4);
        await NumberAsync(page, "Root volume (GiB)", 4);
        Assert.Equal("The image's root snapshot is 8 GiB; the volume must be at least 8 GiB.", Error(page, LaunchFields.VolumeSize));
    }

    [Fact]
    public async Task VolumeSize_Zero_SaysTheRange()
    {
        var page = Open();
        GoTo(page, 4);
        await NumberAsync(page, "Root volume (GiB)", 0);
        Assert.Equal("A volume is between 1 and 16384 GiB.", Error(page, LaunchFields.VolumeSize));
    }

    [Fact]
    public async Task VolumeType_ThatCannotBoot_NamesTheOnesThatCan()
    {
        var page = Open();
        GoTo(page, 4);
        await ChooseAsync(page, "Volume type", "st1");
        Assert.Equal("'st1' cannot be a root volume; use one of gp3, gp2, io2, io1, standard.", Error(page, LaunchFields.VolumeType));
    }

    [Fact]
    public async Task Encryption_TurnedOff_WarnsAtTheSwitch()
    {
        var page = Open();
        GoTo(page, 4);
        var encrypted = page.FindComponents<MudSwitch<bool>>().Single(s => s.Instance.Label!.StartsWith("Encrypt", StringComparison.Ordinal));
        await page.InvokeAsync(() => encrypted.Instance.ValueChanged.InvokeAsync(false));
        Assert.Equal("The volume will be stored unencrypted.", page.Find("[data-testid=launch-unencrypted-warning]").TextContent);
        Assert.False(page.Instance.Spec.Encrypted);
    }

    [Fact]
    public async Task ImdsV2_TurnedOff_WarnsAtTheSwitch()
    {
        var page = Open();
        GoTo(page, 4);
        var imds = page.FindComponents<MudSwitch<bool>>().Single(s => s.Instance.Label!.StartsWith("Require IMDSv2", StringComparison.Ordinal));
        await page.InvokeAsync(() => imds.Instance.ValueChanged.InvokeAsync(false));
        Assert.Contains("IMDSv1 lets a server-side request forgery read the instance's credentials.", page.Find("[data-testid=launch-imdsv1-warning]").TextContent, StringComparison.Ordinal);
        Assert.False(page.Instance.Spec.RequireImdsV2);
    }

    [Fact]
    public async Task Hibernation_OnATypeWithoutIt_SaysSo()
    {
        var page = Open();
        GoTo(page, 1);
        await ChooseAsync(page, "Instance type", "t4g.micro");
        GoTo(page, 2);
        var arm = page.Instance.LatestImages.First(i => i.Architecture == "arm64");
        page.Find($"[data-testid=launch-latest-{arm.ImageId}]").Click();
        GoTo(page, 4);
        var hibernation = page.FindComponents<MudSwitch<bool>>().Single(s => s.Instance.Label == "Enable hibernation");
        await page.InvokeAsync(() => hibernation.Instance.ValueChanged.InvokeAsync(true));
        Assert.Equal("t4g.micro does not support hibernation.", Error(page, LaunchFields.Hibernation));
    }

    [Fact]
    public void RequiredTag_Missing_SaysItIsRequiredAndNextStays()
    {
        var page = Open();
        GoTo(page, 5);
        Next(page);

        Assert.Equal("team is a required tag; give it a value.", Error(page, LaunchFields.Tag("team")));
        Assert.Equal(5, page.Instance.Step);
    }

    [Fact]
    public async Task Tag_WithAReservedKey_SaysItIsReserved()
    {
        var page = Open();
        GoTo(page, 5);
        page.Find("[data-testid=launch-tag-add]").Click();
        await TypeAsync(page, "Key", "aws:owner");
        Assert.Equal("Tag keys starting with aws: are reserved for AWS.", Error(page, LaunchFields.Tag("aws:owner")));
    }

    [Fact]
    public async Task Name_TooLong_SaysTheLimit()
    {
        var page = Open();
        GoTo(page, 5);
        await TypeAsync(page, "Name", new string('n', 300));
        Assert.Equal("A name is at most 256 characters.", Error(page, LaunchFields.Name));
    }

    [Fact]
    public async Task Count_OverTheAccountsLimit_SaysHowManyMoreFit()
    {
        var page = Open();
        var live = (await FleetAsync(EuWest)).Count(i => i.State != InstanceState.Terminated);
        GoTo(page, 5);
        await NumberAsync(page, "How many", 64);

        Assert.Equal($"The account allows 64 instances in eu-west-1 and has {live}; at most {64 - live} more can be launched.", Error(page, LaunchFields.Count));
    }

    [Fact]
    public async Task Count_Zero_SaysTheRange()
    {
        var page = Open();
        GoTo(page, 5);
        await NumberAsync(page, "How many", 0);
        Assert.Equal("Launch between 1 and 100 instances at once.", Error(page, LaunchFields.Count));
    }

    [Fact]
    public async Task Review_ShowsTheMonthlyEstimateAndThatItMayRunNow()
    {
        var page = await OpenAtReviewAsync();

        Assert.Contains("About $8.96 a month", page.Find("[data-testid=launch-estimate]").TextContent, StringComparison.Ordinal);
        page.WaitForAssertion(() => Assert.Equal("You may launch this now.", page.Find("[data-testid=launch-preview]").TextContent.Trim()));
    }

    [Fact]
    public async Task DryRun_AllowedLaunch_SaysItWouldSucceedAndLaunchesNothing()
    {
        var page = await OpenAtReviewAsync();
        var before = (await FleetAsync()).Count;

        page.Find("[data-testid=launch-dryrun]").Click();

        page.WaitForAssertion(() => Assert.Contains("would have succeeded", page.Find("[data-testid=launch-dryrun-result]").TextContent, StringComparison.Ordinal));
        Assert.Equal(before, (await FleetAsync()).Count);
    }

    [Fact]
    public async Task Launch_Confirmed_MakesExactlyTheChosenInstanceAndAuditsIt()
    {
        var page = await OpenAtReviewAsync();
        var form = page.Instance.Form;

        page.Find("[data-testid=launch-submit]").Click();

        page.WaitForAssertion(() => Assert.StartsWith("Launched 1 instance(s) in eu-west-1a", page.Find("[data-testid=launch-result]").TextContent.Trim(), StringComparison.Ordinal));
        var created = Assert.Single(page.Instance.Result!.Created);
        var instance = (await Sandbox.FindAsync(created))!;
        Assert.Equal(("t3.micro", "eu-west-1a", form.SubnetId, InstanceState.Pending), (instance.InstanceType, instance.AvailabilityZone, instance.SubnetId, instance.State));
        Assert.Equal(("payments", "web-1"), (instance.Tags["team"], instance.Name));
        Assert.True(instance.ImdsV2Required);
        Assert.True(Assert.Single(instance.Volumes).Encrypted);
        var audited = Assert.Single(AuditLog.Events("instances.launch"));
        Assert.Equal(AuditOutcome.Succeeded, audited.Outcome);
        Assert.Contains(created.InstanceId, audited.Target, StringComparison.Ordinal);

        Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(InstanceState.Running, (await Sandbox.FindAsync(created))!.State);
    }

    [Fact]
    public async Task Launch_SubmittedTwice_LaunchesOnce()
    {
        var page = await OpenAtReviewAsync();
        var before = (await FleetAsync()).Count;

        await page.InvokeAsync(page.Instance.LaunchAsync);
        var first = page.Instance.Result!.Created;
        await page.InvokeAsync(page.Instance.LaunchAsync);

        Assert.Equal(first, page.Instance.Result!.Created);
        Assert.StartsWith("Already carried out with this key", page.Instance.Result.Message, StringComparison.Ordinal);
        Assert.Equal(before + 1, (await FleetAsync()).Count);
    }

    [Fact]
    public async Task Launch_SixInstances_WaitsForApprovalAndLaunchesNothing()
    {
        var page = Open();
        GoTo(page, 5);
        await TypeAsync(page, "team (required tag)", "payments");
        await NumberAsync(page, "How many", 6);
        Next(page);
        var before = (await FleetAsync()).Count;

        page.Find("[data-testid=launch-submit]").Click();

        page.WaitForAssertion(() => Assert.NotNull(page.Instance.Result));
        Assert.Equal("Launch of 6 instance(s) waits for approval (Bulk actions over 5 instances need approval).", page.Instance.Result!.Message);
        var request = Assert.Single(Approvals.All);
        Assert.StartsWith("Launch 6 × t3.micro", request.Summary, StringComparison.Ordinal);
        Assert.Equal(before, (await FleetAsync()).Count);
    }

    [Fact]
    public async Task SaveAsTemplate_Named_StoresTheConfiguration()
    {
        var page = await OpenAtReviewAsync();
        page.Find("input[data-testid=launch-template-name]").Change("payments web");
        page.Find("[data-testid=launch-template-save]").Click();

        page.WaitForAssertion(() => Assert.Single(TemplateStore.All));
        var template = TemplateStore.All.Single();
        Assert.Equal("payments web", template.Name);
        Assert.Equal(("t3.micro", "payments"), (template.Spec.InstanceType, template.Spec.Tags["team"]));
        Assert.Single(AuditLog.Events("template.create"));
    }

    [Fact]
    public async Task EditTemplate_OpenedFromItsLink_ShowsItsChoicesAndSavesBackUnderTheSameId()
    {
        var olga = SignIn("olga", Role.Operator);
        var scope = new CloudScope(Account, EuWest);
        var spec = new LaunchSpec
        {
            AccountId = Account, Region = EuWest, AvailabilityZone = "eu-west-1b", InstanceType = "t3.small",
            ImageId = (await Sandbox.LatestAsync(scope)).First(i => i.Architecture == "x86_64").ImageId,
            SubnetId = (await Sandbox.SubnetsAsync(scope)).First(s => s.AvailabilityZone == "eu-west-1b").SubnetId,
            Name = "api", Tags = new Dictionary<string, string> { ["team"] = "search" },
        };
        var saved = await Services.GetRequiredService<LaunchTemplates>().SaveAsync(olga.AsActor(Domain.Common.Channel.Web), null, "api", spec);

        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo($"/instances/launch?template={saved.Id}");
        var page = RenderPage<LaunchWizard>();
        page.WaitForAssertion(() => Assert.Equal("t3.small", page.Instance.Form.InstanceType));
        Assert.Equal(("eu-west-1b", "api", "search"), (page.Instance.Form.AvailabilityZone, page.Instance.Form.Name, page.Instance.Form.RequiredTags["team"]));
        Assert.True(page.Instance.EditsTemplate);
        GoTo(page, 4);
        await NumberAsync(page, "Root volume (GiB)", 30);
        GoTo(page, 6);
        page.Find("[data-testid=launch-template-save]").Click();

        page.WaitForAssertion(() => Assert.Equal(30, TemplateStore.All.Single().Spec.VolumeSizeGiB));
        Assert.Equal(saved.Id, TemplateStore.All.Single().Id);
        Assert.Single(AuditLog.Events("template.update"));
    }

    private IRenderedComponent<LaunchWizard> Open()
    {
        SignIn("olga", Role.Operator);
        var page = RenderPage<LaunchWizard>();
        page.WaitForAssertion(() => Assert.NotNull(page.Instance.Context.Image));
        return page;
    }

    private async Task<IRenderedComponent<LaunchWizard>> OpenAtReviewAsync()
    {
        var page = Open();
        GoTo(page, 5);
        await TypeAsync(page, "Name", "web-1");
        await TypeAsync(page, "team (required tag)", "payments");
        Next(page);
        Assert.Equal(6, page.Instance.Step);
        return page;
    }

    private static void Next(IRenderedComponent<LaunchWizard> page) => page.Find("[data-testid=launch-next]").Click();

    private static void GoTo(IRenderedComponent<LaunchWizard> page, int step)
    {
        while (page.Instance.Step < step)
        {
            var before = page.Instance.Step;
            Next(page);
            Assert.True(page.Instance.Step > before, $"Step {before} did not pass: {page.Markup}");
        }
    }

    private static string? Error(IRenderedComponent<LaunchWizard> page, string field)
    {
        var id = $"error-{field.Replace(':', '-')}";
        return page.FindAll($"[data-testid='{id}']").SingleOrDefault()?.TextContent.Trim();
    }

    private static Task ChooseAsync(IRenderedComponent<LaunchWizard> page, string label, string value)
    {
        var select = page.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == label);
        return page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(value));
    }

    private static Task TypeAsync(IRenderedComponent<LaunchWizard> page, string label, string value)
    {
        var field = page.FindComponents<MudTextField<string>>().First(s => s.Instance.Label == label);
        return page.InvokeAsync(() => field.Instance.ValueChanged.InvokeAsync(value));
    }

    private static Task NumberAsync(IRenderedComponent<LaunchWizard> page, string label, int value)
    {
        var field = page.FindComponents<MudNumericField<int>>().Single(s => s.Instance.Label == label);
        return page.InvokeAsync(() => field.Instance.ValueChanged.InvokeAsync(value));
    }
}
