using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Instances.Launch;

/// <summary>
/// The launch wizard: placement → type → image → network → storage and security → tags and count → review. Every change is
/// checked against what the provider offers where the launch goes (<see cref="LaunchPlanner"/>), and each field shows its own
/// message. The launch goes through the action pipeline with one idempotency key per wizard, which is the EC2 client token.
/// </summary>
public sealed partial class LaunchWizard
{
    public static readonly IReadOnlyList<string> StepTitles = ["Placement", "Instance type", "Image", "Network", "Storage & security", "Tags & count", "Review"];

    private static readonly string[][] StepFields =
    [
        [LaunchFields.Account, LaunchFields.Region, LaunchFields.Zone],
        [LaunchFields.InstanceType],
        [LaunchFields.Image],
        [LaunchFields.Subnet, LaunchFields.SecurityGroups, LaunchFields.KeyPair],
        [LaunchFields.VolumeSize, LaunchFields.VolumeType, LaunchFields.Hibernation],
        [LaunchFields.Name, LaunchFields.Tags, LaunchFields.Count],
        [],
    ];

    private readonly HashSet<string> _revealed = new(StringComparer.Ordinal);
    private LaunchValidation _validation = LaunchValidation.Valid;
    private string _key = Guid.NewGuid().ToString("N");
    private Guid? _templateId;

    [Inject]
    public required ICloudProvider Cloud { get; init; }

    [Inject]
    public required LaunchPlanner Planner { get; init; }

    [Inject]
    public required IImageCatalog Images { get; init; }

    [Inject]
    public required IInstanceLauncher Launcher { get; init; }

    [Inject]
    public required ActionPipeline Pipeline { get; init; }

    [Inject]
    public required LaunchTemplates Templates { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    /// <summary>A template to start from (<c>?template=ID</c>): the wizard edits it, and can save it back.</summary>
    [SupplyParameterFromQuery(Name = "template")]
    public Guid? TemplateId { get; set; }

    public LaunchForm Form { get; private set; } = new();

    public LaunchContext Context { get; private set; } = new();

    public int Step { get; private set; }

    public bool Loading { get; private set; }

    public bool Busy { get; private set; }

    public IReadOnlyList<ImageDetails> LatestImages { get; private set; } = [];

    public IReadOnlyList<ImageDetails> SearchResults { get; private set; } = [];

    public ActionPreview? Preview { get; private set; }

    public LaunchCheck? DryRun { get; private set; }

    public ActionResult? Result { get; private set; }

    public string? TemplateName { get; set; }

    public bool EditsTemplate => _templateId is not null;

    public IReadOnlyList<string> RequiredTags => Planner.RequiredTags;

    public LaunchSpec Spec => CurrentSpec();

    public LaunchEstimate? Estimate => PriceTable.Estimate(Spec);

    public IEnumerable<SubnetInfo> SubnetsInZone => Context.Subnets.Where(s => s.AvailabilityZone == Form.AvailabilityZone);

    /// <summary>The message for a field once the person has touched it or tried to move on; null when it is fine.</summary>
    public string? ErrorFor(string field) => _revealed.Contains(field) || (field.StartsWith(LaunchFields.Tags + ":", StringComparison.Ordinal) && _revealed.Contains(LaunchFields.Tags))
        ? _validation[field]
        : null;

    public bool HasError(string field) => ErrorFor(field) is not null;

    protected override async Task OnInitializedAsync()
    {
        if (Restores)
        {
            await OpenRestoreAsync();
            return;
        }

        if (TemplateId is { } id && await Templates.FindAsync(id) is { } template)
        {
            _templateId = template.Id;
            TemplateName = template.Name;
            Form = LaunchForm.From(template.Spec, RequiredTags);
            await RefreshAsync();
            return;
        }

        foreach (var key in RequiredTags.Where(k => k != "Name"))
        {
            Form.RequiredTags[key] = string.Empty;
        }

        var account = Cloud.Accounts.FirstOrDefault();
        Form.AccountId = account?.Id ?? string.Empty;
        Form.Region = account?.Regions.FirstOrDefault() ?? string.Empty;
        await RegionChangedAsync();
    }

    // ---- changes from the steps ----

    public async Task SetAccountAsync(string? accountId)
    {
        if (Restores)
        {
            return;
        }

        Form.AccountId = accountId ?? string.Empty;
        var regions = Cloud.Accounts.FirstOrDefault(a => a.Id == Form.AccountId)?.Regions ?? [];
        if (!regions.Contains(Form.Region))
        {
            Form.Region = regions.FirstOrDefault() ?? string.Empty;
        }

        Reveal(LaunchFields.Account);
        await RegionChangedAsync();
    }

    public async Task SetRegionAsync(string? region)
    {
        if (Restores)
        {
            return;
        }

        Form.Region = region ?? string.Empty;
        Reveal(LaunchFields.Region);
        await RegionChangedAsync();
    }

    public async Task SetZoneAsync(string? zone)
    {
        Form.AvailabilityZone = zone ?? string.Empty;
        Reveal(LaunchFields.Zone);
        await RefreshAsync();
        PickDefaultsForZone();
        Validate();
    }

    public Task SetImageAsync(string? imageId)
    {
        if (Restores)
        {
            // A restore launches from its recovery point, and only from it.
            return Task.CompletedTask;
        }

        Form.ImageId = (imageId ?? string.Empty).Trim();
        Reveal(LaunchFields.Image);
        return ImageChangedAsync();
    }

    public async Task SearchImagesAsync(string? text, string? owner)
    {
        SearchResults = Form.Region.Length == 0 ? [] : await Images.SearchAsync(new CloudScope(Form.AccountId, Form.Region), text, owner);
    }

    /// <summary>Applies a change from a step and re-checks; the whole wizard re-renders, so every field's message is current.</summary>
    public void Set(string field, Action<LaunchForm> change)
    {
        change(Form);
        Reveal(field);
        Validate();
        StateHasChanged();
    }

    public void AddTag()
    {
        Form.ExtraTags.Add(new TagRow());
        StateHasChanged();
    }

    public void RemoveTag(TagRow row)
    {
        Form.ExtraTags.Remove(row);
        Validate();
        StateHasChanged();
    }

    // ---- steps ----

    public void Next()
    {
        foreach (var field in StepFields[Step])
        {
            Reveal(field);
        }

        Validate();
        if (StepFields[Step].Any(f => _validation.Errors.Keys.Any(k => k == f || k.StartsWith(f + ":", StringComparison.Ordinal))))
        {
            return;
        }

        Step = Math.Min(Step + 1, StepTitles.Count - 1);
        if (Step == StepTitles.Count - 1)
        {
            _ = PreviewAsync();
        }
    }

    public void Back() => Step = Math.Max(0, Step - 1);

    public void GoTo(int step)
    {
        if (step < Step)
        {
            Step = step;
        }
    }

    public async Task PreviewAsync()
    {
        try
        {
            DryRun = null;
            Preview = await Pipeline.PreviewAsync(await Current.ActorAsync(), CurrentRequest());
            await InvokeAsync(StateHasChanged);
        }
        catch (Exception e) when (e is DomainException or ObjectDisposedException)
        {
            // The session ended or the page closed meanwhile; the launch itself checks again.
        }
    }

    public async Task DryRunAsync()
    {
        Busy = true;
        try
        {
            var actor = await Current.ActorAsync();
            Preview = await Pipeline.PreviewAsync(actor, CurrentRequest());
            DryRun = Preview.Allowed
                ? await Launcher.DryRunAsync(Spec.ToRequest())
                : new LaunchCheck(false, Preview.Reason ?? "Not allowed.");
        }
        finally
        {
            Busy = false;
        }
    }

    public async Task LaunchAsync()
    {
        Busy = true;
        try
        {
            await RefreshAsync();
            if (!_validation.IsValid)
            {
                RevealAll();
                Step = Array.FindIndex(StepFields, fields => fields.Any(f => _validation.Errors.Keys.Any(k => k == f || k.StartsWith(f + ":", StringComparison.Ordinal))));
                Step = Step < 0 ? StepTitles.Count - 1 : Step;
                Snackbar.Add("Something changed since this was checked; see the messages.", Severity.Warning);
                return;
            }

            Result = await SubmitCurrentAsync(await Current.ActorAsync());
            Snackbar.Add(Result.Message, Result.Status switch
            {
                ActionStatus.Executed => Severity.Success,
                ActionStatus.PendingApproval => Severity.Info,
                _ => Severity.Error,
            });
        }
        catch (DomainException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        finally
        {
            Busy = false;
        }
    }

    /// <summary>Starts another launch from the same choices, with a new client token.</summary>
    public void LaunchAnother()
    {
        _key = Guid.NewGuid().ToString("N");
        Result = null;
        DryRun = null;
        Step = 0;
    }

    public async Task SaveTemplateAsync()
    {
        try
        {
            var saved = await Templates.SaveAsync(await Current.ActorAsync(), _templateId, TemplateName ?? string.Empty, Spec);
            _templateId = saved.Id;
            Snackbar.Add($"Template '{saved.Name}' saved.", Severity.Success);
        }
        catch (DomainException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
    }

    public static string InstanceUrl(InstanceRef r) => $"/instances/{r.AccountId}/{r.Region}/{r.InstanceId}";

    // ---- loading and checking ----

    private async Task RegionChangedAsync()
    {
        await RefreshAsync();
        var scope = new CloudScope(Form.AccountId, Form.Region);
        LatestImages = Context.Regions.Contains(Form.Region) ? await Images.LatestAsync(scope) : [];
        SearchResults = [];
        if (Context.Zones.All(z => z.ZoneName != Form.AvailabilityZone))
        {
            Form.AvailabilityZone = Context.Zones.FirstOrDefault(z => z.State == "available")?.ZoneName ?? string.Empty;
            await RefreshAsync();
        }

        if (Context.Image is null && LatestImages.FirstOrDefault(i => i.Architecture == "x86_64") is { } latest)
        {
            Form.ImageId = latest.ImageId;
            await ImageChangedAsync();
        }

        Form.SecurityGroupIds = Form.SecurityGroupIds.Where(g => Context.SecurityGroups.Any(s => s.GroupId == g)).ToList();
        if (Form.KeyName is not null && Context.KeyPairs.All(k => k.KeyName != Form.KeyName))
        {
            Form.KeyName = null;
        }

        PickDefaultsForZone();
        Validate();
    }

    private async Task ImageChangedAsync()
    {
        await RefreshAsync();
        if (Context.Image is { } image && Form.VolumeSizeGiB < image.RootSnapshotSizeGiB)
        {
            Form.VolumeSizeGiB = image.RootSnapshotSizeGiB;
        }

        Validate();
    }

    private void PickDefaultsForZone()
    {
        if (Form.SubnetId is null || SubnetsInZone.All(s => s.SubnetId != Form.SubnetId))
        {
            Form.SubnetId = SubnetsInZone.OrderBy(s => s.PublicIpOnLaunch).FirstOrDefault()?.SubnetId;
        }

        if (Context.OfferedTypes.All(t => t.InstanceType != Form.InstanceType))
        {
            Form.InstanceType = Context.OfferedTypes.FirstOrDefault(t => t.InstanceType == "t3.micro")?.InstanceType ?? string.Empty;
        }
    }

    private async Task RefreshAsync()
    {
        Loading = true;
        try
        {
            Context = await Planner.ContextAsync(Spec);
        }
        finally
        {
            Loading = false;
        }

        Validate();
    }

    private void Validate()
    {
        _validation = LaunchValidator.Validate(Spec, Context);
        Preview = null;
        DryRun = null;
    }

    private void Reveal(string field) => _revealed.Add(field);

    private void RevealAll()
    {
        foreach (var field in StepFields.SelectMany(f => f))
        {
            _revealed.Add(field);
        }
    }
}
