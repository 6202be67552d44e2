using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Common;
using PortalOps.Domain.Compliance;
using PortalOps.Jobs.Compliance;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Compliance;

/// <summary>
/// One policy's YAML with line numbers: errors come back with the line and the reason and nothing is saved; a dry run lists what would
/// match now before saving; saving makes the next version with its author; earlier versions can be loaded back; Viewers read only.
/// </summary>
public sealed partial class PolicyEditorPage
{
    public const string Template = """
        id: my-policy
        title: What this policy checks
        resource: instance
        severity: medium
        description: Why it matters and how to fix it.
        filters:
          - tag: {key: env, value: prod}
          - field: detailed-monitoring
            equals: false
        """;

    /// <summary>Where the policy schema is served (<see cref="PolicySchema"/>), for editors that read one.</summary>
    public const string SchemaPath = "/compliance/" + PolicySchema.FileName;

    private static readonly System.Text.RegularExpressions.Regex ResourceLine = new(@"^resource:\s*['""]?(?<name>[a-z-]+)", System.Text.RegularExpressions.RegexOptions.Multiline | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>The resource type the text names (its top-level <c>resource:</c> line), for the field reference beside the editor.</summary>
    internal static ResourceType? ResourceOf(string? yaml) =>
        ResourceLine.Match(yaml ?? string.Empty) is { Success: true } m && ResourceTypes.TryParse(m.Groups["name"].Value, out var type) ? type : null;

    private string SchemaLine => $"# yaml-language-server: $schema={Navigation.BaseUri.TrimEnd('/')}{SchemaPath}";

    private PolicyEntry? _entry;
    private IReadOnlyList<PolicyVersion> _versions = [];
    private string _yaml = Template;
    private IReadOnlyList<PolicyError> _errors = [];
    private IReadOnlySet<int> _errorLines = new HashSet<int>();
    private DryRun? _dryRun;
    private string? _saved;
    private bool _mayEdit;
    private bool _notFound;
    private bool _busy;

    [Parameter]
    public string? PolicyId { get; set; }

    [Inject]
    public required PolicyEditor Editor { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    protected override async Task OnParametersSetAsync()
    {
        _mayEdit = PolicyEditor.MayEdit(await Current.ActorAsync());
        (_errors, _errorLines, _dryRun, _saved, _notFound) = ([], new HashSet<int>(), null, null, false);
        if (PolicyId is null)
        {
            (_entry, _versions, _yaml) = (null, [], Template);
            return;
        }

        _entry = (await Editor.ListAsync()).FirstOrDefault(e => e.Policy.Id == PolicyId);
        if (_entry is null)
        {
            _notFound = true;
            return;
        }

        _yaml = _entry.Policy.Source;
        _versions = await Editor.VersionsAsync(PolicyId);
    }

    private void Load(PolicyVersion version)
    {
        _yaml = version.Source;
        (_errors, _errorLines, _saved) = ([], new HashSet<int>(), $"Loaded v{version.Version} into the editor; save to make it the newest version.");
    }

    private async Task DryRunAsync()
    {
        _busy = true;
        try
        {
            _saved = null;
            var run = await Editor.DryRunAsync(await Current.ActorAsync(), _yaml);
            ShowErrors(run.Errors);
            _dryRun = run.Errors.Count == 0 ? run : null;
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task SaveAsync()
    {
        _busy = true;
        try
        {
            _saved = null;
            var result = await Editor.SaveAsync(await Current.ActorAsync(), _yaml);
            ShowErrors(result.Errors);
            if (result.Saved is { } v)
            {
                _saved = $"Saved {v.PolicyId} v{v.Version}.";
                if (!string.Equals(v.PolicyId, PolicyId, StringComparison.Ordinal))
                {
                    Navigation.NavigateTo($"/compliance/policies/{v.PolicyId}");
                    return;
                }

                _entry = (await Editor.ListAsync()).FirstOrDefault(e => e.Policy.Id == PolicyId);
                _versions = await Editor.VersionsAsync(v.PolicyId);
            }
        }
        catch (DomainException e)
        {
            ShowErrors([new PolicyError(1, 1, e.Message)]);
        }
        finally
        {
            _busy = false;
        }
    }

    private void ShowErrors(IReadOnlyList<PolicyError> errors) => (_errors, _errorLines) = (errors, errors.Select(e => e.Line).ToHashSet());
}
