using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using PortalOps.Domain.Common;
using PortalOps.Jobs.Compliance;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Compliance;

/// <summary>
/// The policies in force (built-in and stored) with their switch, version and author; Admins switch them, import YAML files and
/// start new ones, everyone signed in reads them and exports them. Every change goes through <see cref="PolicyEditor"/> (audited).
/// </summary>
public sealed partial class PolicyList
{
    /// <summary>The largest policy file accepted on import.</summary>
    public const long MaxFileBytes = PolicyYaml.MaxLength * 4L;

    /// <summary>The most files one import takes.</summary>
    public const int MaxFiles = 100;

    private IReadOnlyList<PolicyEntry> _entries = [];
    private bool _mayEdit;
    private string? _message;
    private bool _messageIsError;

    [Inject]
    public required PolicyEditor Editor { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    protected override async Task OnInitializedAsync()
    {
        _mayEdit = PolicyEditor.MayEdit(await Current.ActorAsync());
        _entries = await Editor.ListAsync();
    }

    private async Task SetEnabledAsync(string policyId, bool enabled)
    {
        try
        {
            await Editor.SetEnabledAsync(await Current.ActorAsync(), policyId, enabled);
            Say($"{policyId} is switched {(enabled ? "on" : "off")}.", error: false);
        }
        catch (DomainException e)
        {
            Say(e.Message, error: true);
        }

        _entries = await Editor.ListAsync();
    }

    private async Task ImportAsync(InputFileChangeEventArgs picked)
    {
        var files = picked.GetMultipleFiles(MaxFiles);
        if (files.Count == 0)
        {
            return;
        }

        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        var tooBig = new List<string>();
        foreach (var file in files)
        {
            if (file.Size > MaxFileBytes)
            {
                tooBig.Add(file.Name);
                continue;
            }

            using var reader = new StreamReader(file.OpenReadStream(MaxFileBytes));
            texts[file.Name] = await reader.ReadToEndAsync();
        }

        try
        {
            var errors = await Editor.ImportAsync(await Current.ActorAsync(), texts);
            var lines = new List<string> { $"Imported {texts.Count - errors.Count} of {files.Count} file(s)." };
            lines.AddRange(tooBig.Select(n => $"{n}: larger than {MaxFileBytes / 1024} KiB, not read."));
            lines.AddRange(errors.SelectMany(e => e.Value.Select(x => $"{e.Key}: line {x.Line}, column {x.Column}: {x.Message}")));
            Say(string.Join('\n', lines), error: errors.Count > 0 || tooBig.Count > 0);
        }
        catch (DomainException e)
        {
            Say(e.Message, error: true);
        }

        _entries = await Editor.ListAsync();
    }

    private void Say(string message, bool error) => (_message, _messageIsError) = (message, error);
}
