using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Admin;

/// <summary>The Admin's approval rules: which actions, tags, environments and counts wait for a second person. Every save is audited.</summary>
public sealed partial class ApprovalRules
{
    private List<RuleRow> _rules = [];
    private IReadOnlyDictionary<int, string> _problems = new Dictionary<int, string>();
    private int _version = -1;
    private string _updatedBy = string.Empty;
    private DateTimeOffset _updatedAt;
    private bool _busy;

    [Inject]
    public required ApprovalRulesEditor Editor { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    protected override async Task OnInitializedAsync() => Show(await Editor.CurrentAsync());

    private void Show(StoredApprovalRules stored)
    {
        _rules = stored.Rules.Select(RuleRow.From).ToList();
        _version = stored.Version;
        _updatedBy = stored.UpdatedBy;
        _updatedAt = stored.UpdatedAt;
        _problems = new Dictionary<int, string>();
    }

    private void Add() => _rules.Add(new RuleRow { Name = "New rule" });

    private void RestoreDefaults() => _rules = ApprovalPolicy.DefaultRules.Select(RuleRow.From).ToList();

    private void Move(int index, int by)
    {
        var row = _rules[index];
        _rules.RemoveAt(index);
        _rules.Insert(Math.Clamp(index + by, 0, _rules.Count), row);
    }

    private async Task SaveAsync()
    {
        var rules = _rules.Select(r => r.ToRule()).ToList();
        _problems = ApprovalRulesEditor.Check(rules);
        if (_problems.Count > 0)
        {
            return;
        }

        _busy = true;
        try
        {
            Show(await Editor.SaveAsync(await Current.ActorAsync(), rules, _version));
            Snackbar.Add($"{rules.Count} approval rule(s) saved; they apply to the next action.", Severity.Success);
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

    /// <summary>One editable rule.</summary>
    public sealed class RuleRow
    {
        public string Name { get; set; } = string.Empty;

        public IReadOnlyCollection<string> Kinds { get; set; } = [];

        public int MinTargets { get; set; } = 1;

        public string? TagKey { get; set; }

        public string? TagValue { get; set; }

        public string? Environments { get; set; }

        public static RuleRow From(ApprovalRule r) => new()
        {
            Name = r.Name, Kinds = r.Kinds.ToList(), MinTargets = r.MinTargets, TagKey = r.TagKey, TagValue = r.TagValue, Environments = string.Join(", ", r.Environments),
        };

        public ApprovalRule ToRule() =>
            new(Name ?? string.Empty, Kinds.ToList(), MinTargets, string.IsNullOrWhiteSpace(TagKey) ? null : TagKey, string.IsNullOrWhiteSpace(TagValue) ? null : TagValue)
            {
                Environments = (Environments ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            };
    }
}
