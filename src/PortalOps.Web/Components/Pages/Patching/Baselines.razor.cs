using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Common;
using PortalOps.Domain.Patching;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Patching;

/// <summary>Baselines: the newest version of each, and an editor whose errors appear at the field; each save is a new, audited version.</summary>
public sealed partial class Baselines
{
    private IReadOnlyList<PatchBaseline> _baselines = [];
    private PatchBaseline? _editing;
    private IReadOnlyDictionary<string, string> _problems = new Dictionary<string, string>();
    private string? _error;
    private string? _saved;
    private string? _name;
    private string _os = PatchOperatingSystem.AmazonLinux2023.Name;
    private string? _classifications = "Security";
    private string? _severities = "Critical, Important";
    private int _days = 7;
    private string? _approved;
    private string? _rejected;

    [Inject]
    public required PatchBaselines Editor { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    protected override async Task OnInitializedAsync() => _baselines = await Editor.ListAsync();

    private bool Has(string field) => _problems.ContainsKey(field);

    private string? ErrorOf(string field) => _problems.GetValueOrDefault(field);

    private string Known(Func<PatchOperatingSystem, IReadOnlyList<string>> pick) =>
        PatchOperatingSystem.Find(_os) is { } os ? "Known: " + string.Join(", ", pick(os)) : string.Empty;

    private static IReadOnlyList<string> Split(string? text) =>
        (text ?? string.Empty).Split([',', '\n'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private void New()
    {
        _editing = null;
        (_name, _os, _classifications, _severities, _days, _approved, _rejected) = (null, PatchOperatingSystem.AmazonLinux2023.Name, "Security", "Critical, Important", 7, null, null);
        (_problems, _error, _saved) = (new Dictionary<string, string>(), null, null);
    }

    private void Edit(PatchBaseline baseline)
    {
        _editing = baseline;
        (_name, _os, _days) = (baseline.Name, baseline.OperatingSystem.Name, baseline.ApproveAfterDays);
        (_classifications, _severities) = (string.Join(", ", baseline.Classifications), string.Join(", ", baseline.Severities));
        (_approved, _rejected) = (string.Join(", ", baseline.ApprovedPatches), string.Join(", ", baseline.RejectedPatches));
        (_problems, _error, _saved) = (new Dictionary<string, string>(), null, null);
    }

    private async Task SaveAsync()
    {
        (_error, _saved) = (null, null);
        var draft = new PatchBaselineDraft(_name, _os, Split(_classifications), Split(_severities), _days, Split(_approved), Split(_rejected));
        _problems = draft.Problems();
        if (_problems.Count > 0)
        {
            return;
        }

        try
        {
            var saved = await Editor.SaveAsync(await Current.ActorAsync(), _editing?.Id, draft);
            _saved = $"Saved {saved.Name} v{saved.Version}.";
            _baselines = await Editor.ListAsync();
            _editing = saved;
        }
        catch (PatchBaselineException e)
        {
            _problems = e.Problems;
        }
        catch (DomainException e)
        {
            _error = e.Message;
        }
    }
}
