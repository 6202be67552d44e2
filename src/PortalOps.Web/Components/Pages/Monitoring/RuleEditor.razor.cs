using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Common;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Monitoring;

/// <summary>Writes an alert rule. Every field is checked as it changes and the message appears at the field; Save stays off until none is wrong.</summary>
public sealed partial class RuleEditor
{
    private AlertRuleDraft _draft = new();
    private IReadOnlyDictionary<string, string> _errors = new Dictionary<string, string>();
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

    private bool Has(string field) => _errors.ContainsKey(field);

    private string? Error(string field) => _errors.GetValueOrDefault(field);

    private void Set(Action<AlertRuleDraft> change)
    {
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
