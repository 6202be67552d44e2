using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Provisioning;
using PortalOps.Web.Components.Pages.Instances.Launch;

namespace PortalOps.Web.Components.Pages.Instances.Detail;

/// <summary>The instance's tags, editable by Operators; saving sends only what changed (added, changed, removed) through the pipeline.</summary>
public sealed partial class DetailTags
{
    private List<TagRow>? _rows;
    private Dictionary<int, string> _errors = [];
    private IReadOnlyDictionary<string, string>? _shown;

    [Parameter, EditorRequired]
    public InstanceDetail Page { get; set; } = null!;

    [Inject]
    public required ITagGovernance Governance { get; init; }

    protected override void OnParametersSet()
    {
        // Follow the instance's tags unless the person is editing them.
        if (_rows is null || (Page.Instance is { } i && !ReferenceEquals(_shown, i.Tags) && !Edited()))
        {
            Reset();
        }
    }

    private void Reset()
    {
        _shown = Page.Instance?.Tags;
        _rows = (_shown ?? new Dictionary<string, string>()).OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new TagRow { Key = t.Key, Value = t.Value }).ToList();
        _errors = [];
    }

    private bool Edited() =>
        _rows is not null && _shown is not null
        && (_rows.Count != _shown.Count || _rows.Any(r => !_shown.TryGetValue(r.Key, out var v) || v != r.Value));

    private async Task SaveAsync()
    {
        var rows = _rows ?? [];
        _errors = [];
        for (var n = 0; n < rows.Count; n++)
        {
            var key = rows[n].Key;
            var problem = LaunchValidator.CheckTagKey(key)
                ?? (rows.Take(n).Any(r => r.Key == key) ? $"{key} appears twice." : null)
                ?? (rows[n].Value.Length > 256 ? "A value is at most 256 characters." : null)
                ?? (Governance.RequiredTagKeys.Contains(key) && string.IsNullOrWhiteSpace(rows[n].Value) ? $"{key} is a required tag; give it a value." : null);
            if (problem is not null)
            {
                _errors[n] = problem;
            }
        }

        var current = Page.Instance?.Tags ?? new Dictionary<string, string>();
        var removed = current.Keys.Where(k => rows.All(r => r.Key != k)).ToList();
        foreach (var key in removed.Where(Governance.RequiredTagKeys.Contains))
        {
            _errors[-1] = $"{key} is a required tag and cannot be removed.";
        }

        if (_errors.Count > 0)
        {
            return;
        }

        var set = rows.Where(r => !current.TryGetValue(r.Key, out var v) || v != r.Value).ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
        if (set.Count == 0 && removed.Count == 0)
        {
            return;
        }

        await Page.SubmitAsync(ActionKind.EditTags, InstanceSettingsExecutor.TagChanges(set, removed));
        Reset();
    }
}
