using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Backups;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Backups;

/// <summary>
/// Creates or edits a backup policy: rules, kind, retention, DR copy and KMS key. Every wrong field shows its reason beside it (a cron that
/// never fires, retention 0, the DR region equal to the source, a KMS key missing or unusable in the DR region) and nothing is saved; a valid
/// save goes through the action pipeline (creating or loosening waits for approval). A policy outside the person's scope reads as missing.
/// </summary>
public sealed partial class PolicyEditor
{
    private EditorModel _model = EditorModel.Empty();
    private BackupPolicy? _current;
    private IReadOnlyList<BackupPolicy> _history = [];
    private IReadOnlyDictionary<string, string> _problems = new Dictionary<string, string>();
    private bool _loaded;
    private bool _busy;
    private string? _missing;
    private string? _result;
    private Severity _resultSeverity = Severity.Info;
    private string _key = Guid.NewGuid().ToString("N");

    [Parameter]
    public Guid? PolicyId { get; set; }

    [Inject]
    public required IBackupPolicyStore PolicyStore { get; init; }

    [Inject]
    public required BackupActions Actions { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    protected override async Task OnParametersSetAsync()
    {
        if (PolicyId is { } id)
        {
            var actor = await Current.ActorAsync();
            var policy = await PolicyStore.FindAsync(id);
            if (policy is null || !Authorizer.MaySee(actor, policy.Footprint))
            {
                _missing = "That backup policy does not exist, or is outside your scope.";
            }
            else
            {
                _current = policy;
                _model = EditorModel.From(policy.Content);
                _history = await PolicyStore.HistoryAsync(id);
            }
        }

        _loaded = true;
    }

    private bool Has(string field) => _problems.ContainsKey(field);

    private string? Err(string field) => _problems.GetValueOrDefault(field);

    private void AddRule() => _model.Rules.Add(new RuleModel { Name = _model.Rules.Count == 0 ? "daily" : $"rule{_model.Rules.Count + 1}", Cron = "0 2 * * *", TimeZone = "UTC", KeepCount = 7 });

    private async Task CheckAsync()
    {
        _busy = true;
        try
        {
            _problems = await Actions.CheckAsync(_model.ToDraft());
            (_result, _resultSeverity) = _problems.Count == 0 ? ("The policy can be saved.", Severity.Success) : ($"{_problems.Count} field(s) to fix.", Severity.Warning);
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
            var result = await Actions.SavePolicyAsync(await Current.ActorAsync(), PolicyId, _model.ToDraft(), _key);
            _problems = new Dictionary<string, string>();
            (_result, _resultSeverity) = result.Status switch
            {
                ActionStatus.PendingApproval => ($"Waiting for approval: {result.Message}", Severity.Info),
                ActionStatus.Executed => ($"Saved. {result.Message}", Severity.Success),
                _ => (result.Message, result.IsSuccess ? Severity.Info : Severity.Error),
            };
            if (result.IsSuccess)
            {
                // The next save is another request.
                _key = Guid.NewGuid().ToString("N");
                if (PolicyId is { } id)
                {
                    _current = await PolicyStore.FindAsync(id) ?? _current;
                    _history = await PolicyStore.HistoryAsync(id);
                }
            }
        }
        catch (BackupPolicyException e)
        {
            _problems = e.Problems;
            (_result, _resultSeverity) = ($"Not saved: {_problems.Count} field(s) to fix.", Severity.Error);
        }
        finally
        {
            _busy = false;
        }
    }

    internal sealed class RuleModel
    {
        public string? Name { get; set; }

        public string? Cron { get; set; }

        public string? TimeZone { get; set; }

        public int KeepCount { get; set; }

        public int? KeepDays { get; set; }
    }

    /// <summary>The form's state; lists are typed as text and split on save.</summary>
    internal sealed class EditorModel
    {
        public string? Name { get; set; }

        public string? AccountId { get; set; }

        public string? Region { get; set; }

        public string? SelectorTags { get; set; }

        public string? InstanceIds { get; set; }

        public BackupKind Kind { get; set; }

        public bool Reboot { get; set; }

        public string? DeviceNames { get; set; }

        public bool CopyTags { get; set; } = true;

        public int RpoHours { get; set; } = 24;

        public bool Enabled { get; set; } = true;

        public List<RuleModel> Rules { get; } = [];

        public bool CopyEnabled { get; set; }

        public string? CopyRegion { get; set; }

        public string? CopyAccount { get; set; }

        public string? CopyKmsKey { get; set; }

        public int CopyKeepCount { get; set; } = 7;

        public int? CopyKeepDays { get; set; }

        public static EditorModel Empty()
        {
            var model = new EditorModel();
            model.Rules.Add(new RuleModel { Name = "daily", Cron = "0 2 * * *", TimeZone = "UTC", KeepCount = 14 });
            return model;
        }

        public static EditorModel From(BackupPolicyDraft d)
        {
            var model = new EditorModel
            {
                Name = d.Name, AccountId = d.AccountId, Region = d.Region, SelectorTags = string.Join(", ", d.SelectorTags.Select(t => $"{t.Key}={t.Value}")),
                InstanceIds = string.Join(", ", d.InstanceIds), Kind = d.Kind, Reboot = d.Reboot, DeviceNames = string.Join(", ", d.DeviceNames ?? []), CopyTags = d.CopyTags,
                RpoHours = d.RpoHours, Enabled = d.Enabled, CopyEnabled = d.Copy is not null, CopyRegion = d.Copy?.Region, CopyAccount = d.Copy?.AccountId,
                CopyKmsKey = d.Copy?.KmsKeyId, CopyKeepCount = d.Copy?.KeepCount ?? 7, CopyKeepDays = d.Copy?.KeepDays,
            };
            model.Rules.AddRange(d.Rules.Select(r => new RuleModel { Name = r.Name, Cron = r.Cron, TimeZone = r.TimeZone, KeepCount = r.KeepCount, KeepDays = r.KeepDays }));
            return model;
        }

        public BackupPolicyDraft ToDraft() => new(
            Name, AccountId, Region,
            Split(SelectorTags).Select(t => t.Split('=', 2)).GroupBy(p => p[0].Trim(), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Last().Length > 1 ? g.Last()[1].Trim() : string.Empty, StringComparer.Ordinal),
            Split(InstanceIds),
            Rules.Select(r => new BackupRule(r.Name ?? string.Empty, r.Cron ?? string.Empty, r.TimeZone ?? string.Empty, r.KeepCount, r.KeepDays)).ToList(),
            Kind, Reboot, Kind == BackupKind.Image ? [] : Split(DeviceNames), CopyTags,
            CopyEnabled ? new DisasterRecoveryCopy(CopyRegion ?? string.Empty, string.IsNullOrWhiteSpace(CopyKmsKey) ? null : CopyKmsKey.Trim(), CopyKeepCount, CopyKeepDays,
                string.IsNullOrWhiteSpace(CopyAccount) ? null : CopyAccount.Trim()) : null,
            RpoHours, Enabled);

        private static List<string> Split(string? text) =>
            (text ?? string.Empty).Split([',', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }
}
