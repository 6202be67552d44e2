using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Common;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Monitoring;

/// <summary>
/// Writes an alert rule. Every field is checked as it changes and the message appears at the field once the person has changed it
/// (a new rule shows no errors before anything is typed); Save stays off until none is wrong, and says which fields hold it back.
/// </summary>
public sealed partial class RuleEditor
{
    private AlertRuleDraft _draft = new();
    private IReadOnlyDictionary<string, string> _errors = new Dictionary<string, string>();
    private readonly HashSet<string> _touched = [];
    private IReadOnlyList<PortalUser> _people = [];
    private int _version;
    private bool _busy;

    [Parameter]
    public Guid? Id { get; set; }

    [Inject]
    public required AlertRules Service { get; init; }

    [Inject]
    public required IAlertRuleStore Store { get; init; }

    [Inject]
    public required IUserStore Users { get; init; }

    [Inject]
    public required MonitoringSettings Settings { get; init; }

    [Inject]
    public required ICloudProvider Cloud { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    private string ScopeHint => _draft.ScopeKind switch
    {
        ScopeKind.Account => "123456789012, or * for every account",
        ScopeKind.Region => "eu-west-1",
        ScopeKind.Tag => "env=prod",
        ScopeKind.AutoScalingGroup => "web-asg",
        ScopeKind.Instance => "i-0123456789abcdef0",
    };

    private string Preview => _errors.Count > 0 ? string.Empty : $"Fires when {Describe()}.";

    protected override async Task OnParametersSetAsync()
    {
        _people = (await Users.ListAsync()).Where(u => !u.IsDisabled).OrderBy(u => u.DisplayName).ToList();
        if (Id is { } id && await Store.FindAsync(id) is { } rule)
        {
            _draft = rule.ToDraft();
            _version = rule.Version;

            // A saved rule's fields are the person's own: any problem with them shows at once.
            _touched.UnionWith(FieldLabels.Keys);
        }

        Validate();
    }

    internal static string KindLabel(RuleKind kind) => kind switch
    {
        RuleKind.Threshold => "Threshold",
        RuleKind.StatusCheck => "Status check failed",
        RuleKind.NoData => "No data",
        RuleKind.Anomaly => "Anomaly (hour of week)",
    };

    /// <summary>What the form calls each field, for the note beside Save.</summary>
    internal static IReadOnlyDictionary<string, string> FieldLabels { get; } = new Dictionary<string, string>
    {
        [nameof(AlertRuleDraft.Name)] = "Name",
        [nameof(AlertRuleDraft.Metric)] = "Metric",
        [nameof(AlertRuleDraft.Threshold)] = "Threshold",
        [nameof(AlertRuleDraft.PeriodMinutes)] = "Period",
        [nameof(AlertRuleDraft.DatapointsToAlarm)] = "N breaching",
        [nameof(AlertRuleDraft.EvaluationPeriods)] = "of M periods",
        [nameof(AlertRuleDraft.ScopeValue)] = "Scope value",
        [nameof(AlertRuleDraft.NotifyRole)] = "Notify",
        [nameof(AlertRuleDraft.Actions)] = "Corrective actions",
        [nameof(AlertRuleDraft.MirrorToCloudWatch)] = "Mirror as CloudWatch alarms",
    };

    /// <summary>Null while Save is on; otherwise which fields hold it back (those not yet filled in have no red message of their own).</summary>
    internal string? WhySaveIsOff =>
        _errors.Count == 0 || _busy ? null
            : $"Save is off until {(_errors.Keys.Any(k => !_touched.Contains(k)) ? "these are filled in" : "these are right")}: "
              + string.Join(", ", _errors.Keys.Where(k => k.Length > 0).Select(k => FieldLabels.GetValueOrDefault(k, k))) + ".";

    private bool Has(string field) => Error(field) is not null;

    /// <summary>The field's message once the person has changed it (or tried to save); the general message always.</summary>
    private string? Error(string field) => field.Length == 0 || _touched.Contains(field) ? _errors.GetValueOrDefault(field) : null;

    private void Set(string field, Action<AlertRuleDraft> change)
    {
        _touched.Add(field);
        change(_draft);
        Validate();
    }

    private void Validate() => _errors = _draft.Validate(Settings.CollectionPeriod);

    private string Describe()
    {
        try
        {
            var rule = _draft.ToRule(Guid.Empty, new PortalUser(Guid.Empty, "preview", "preview", Role.Admin, [], DateTimeOffset.UnixEpoch), DateTimeOffset.UnixEpoch, Settings.CollectionPeriod);
            return $"{rule.Describe()} on {rule.Scope}";
        }
        catch (DomainException ex)
        {
            return ex.Message;
        }
    }

    private async Task SaveAsync()
    {
        _busy = true;
        try
        {
            var user = await Current.UserAsync() ?? throw new DomainException("Your session has ended; log in again.");
            var (rule, errors) = await Service.SaveAsync(user, await Current.ActorAsync(), Id, _draft);
            _errors = errors;
            _touched.UnionWith(errors.Keys);
            if (rule is not null)
            {
                Snackbar.Add($"Saved {rule.Name} (version {rule.Version}).", MudBlazor.Severity.Success);
                Navigation.NavigateTo("/monitoring/rules");
            }
        }
        catch (DomainException ex)
        {
            _errors = new Dictionary<string, string> { [string.Empty] = ex.Message };
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task DeleteAsync()
    {
        var user = await Current.UserAsync();
        if (user is not null && Id is { } id && await Service.DeleteAsync(user, await Current.ActorAsync(), id))
        {
            Snackbar.Add("Rule deleted.", MudBlazor.Severity.Success);
            Navigation.NavigateTo("/monitoring/rules");
        }
    }
}
