using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Instances.Leftovers;

/// <summary>What de-provisioning leaves behind, across every account and region, with a clean-up through the action pipeline.</summary>
public sealed partial class Leftovers
{
    private readonly HashSet<VolumeInfo> _pickedVolumes = [];
    private readonly HashSet<AddressInfo> _pickedAddresses = [];
    private List<VolumeInfo>? _volumes;
    private List<AddressInfo>? _addresses;
    private bool _canAct;
    private bool _busy;

    [Inject]
    public required ICloudProvider Cloud { get; init; }

    [Inject]
    public required ICloudResources Resources { get; init; }

    [Inject]
    public required IElasticIps Addresses { get; init; }

    [Inject]
    public required ActionPipeline Pipeline { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    protected override async Task OnInitializedAsync()
    {
        _canAct = await Current.UserAsync() is { Role: >= Role.Operator };
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        // Only the account-regions the person has a scope in are read, and only resources their scopes cover (by the resource's own tags) show.
        var actor = await Current.ActorAsync();
        var scopes = Cloud.Accounts.SelectMany(a => a.Regions.Select(r => new CloudScope(a.Id, r)))
            .Where(c => Authorizer.MaySeeAnythingIn(actor, c.AccountId, c.Region))
            .ToList();
        var volumes = await Task.WhenAll(scopes.Select(s => Resources.VolumesAsync(s)));
        var addresses = await Task.WhenAll(scopes.Select(s => Addresses.AddressesAsync(s)));
        _volumes = volumes.SelectMany(v => v).Where(v => Authorizer.MaySee(actor, v.Scope.AccountId, v.Scope.Region, v.Tags))
            .Where(v => v.AttachedTo is null && v.State == "available").OrderBy(v => v.Scope.ToString(), StringComparer.Ordinal).ThenBy(v => v.VolumeId, StringComparer.Ordinal).ToList();
        _addresses = addresses.SelectMany(a => a).Where(a => Authorizer.MaySee(actor, a.Scope.AccountId, a.Scope.Region, a.Tags))
            .Where(a => !a.IsAssociated).OrderBy(a => a.Scope.ToString(), StringComparer.Ordinal).ThenBy(a => a.PublicIp, StringComparer.Ordinal).ToList();
        _pickedVolumes.Clear();
        _pickedAddresses.Clear();
    }

    private static void Pick<T>(HashSet<T> picked, T item, bool on)
    {
        if (on)
        {
            picked.Add(item);
        }
        else
        {
            picked.Remove(item);
        }
    }

    private Task DeleteVolumesAsync() =>
        CleanUpAsync(ActionKind.DeleteVolumes, _pickedVolumes.Select(v => new InstanceRef(v.Scope.AccountId, v.Scope.Region, v.VolumeId)).ToList(),
            $"{_pickedVolumes.Sum(v => v.SizeGiB)} GiB; the data on them is gone for good.");

    private Task ReleaseAddressesAsync() =>
        CleanUpAsync(ActionKind.ReleaseAddresses, _pickedAddresses.Select(a => new InstanceRef(a.Scope.AccountId, a.Scope.Region, a.AllocationId)).ToList(),
            $"{string.Join(", ", _pickedAddresses.Take(5).Select(a => a.PublicIp))}; a released address may go to someone else.");

    private async Task CleanUpAsync(ActionKind kind, IReadOnlyList<InstanceRef> targets, string what)
    {
        var where = string.Join("; ", targets.GroupBy(t => t.AccountId).Select(g => $"account {g.Key}: {string.Join(", ", g.GroupBy(t => t.Region).OrderBy(r => r.Key).Select(r => $"{r.Key} ({r.Count()})"))}"));
        var actor = await Current.ActorAsync();
        var request = new ActionRequest(kind, targets);
        var preview = await Pipeline.PreviewAsync(actor, request);
        var note = !preview.Allowed ? $"You may not do this: {preview.Reason}"
            : preview.ApprovalRule is { } rule ? $"This needs approval by a second person before it runs ({rule})." : null;
        var answer = await ConfirmActionDialog.AskAsync(Dialogs, $"{kind.Verb} {targets.Count} {kind.Noun}?", $"{kind.Verb} {targets.Count} {kind.Noun} — {where}. {what}", note, kind.Verb, danger: true, offerFinalSnapshot: false);
        if (answer is null)
        {
            return;
        }

        _busy = true;
        try
        {
            var result = await Pipeline.SubmitAsync(actor, request);
            Snackbar.Add(result.Message, result.Status switch
            {
                ActionStatus.Executed => Severity.Success,
                ActionStatus.PendingApproval => Severity.Info,
                ActionStatus.PartlySucceeded => Severity.Warning,
                _ => Severity.Error,
            });
            await LoadAsync();
        }
        catch (DomainException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        finally
        {
            _busy = false;
        }
    }
}
