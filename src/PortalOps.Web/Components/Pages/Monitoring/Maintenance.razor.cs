using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Common;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Monitoring;

/// <summary>
/// Maintenance windows: while one is on, the rules it names stay silent for the instances it covers. Operators set them over
/// what their scopes cover; <see cref="MaintenanceWindows"/> (and through it the Authorizer) decides, not this page.
/// </summary>
public sealed partial class Maintenance
{
    private IReadOnlyList<MaintenanceWindow> _windows = [];
    private IReadOnlyList<AlertRule> _rules = [];
    private bool _canEdit;
    private DateTimeOffset _now;
    private string? _name;
    private ScopeKind _scopeKind = ScopeKind.Tag;
    private string? _scopeValue;
    private Guid? _ruleId;
    private int _startsInMinutes;
    private int _lengthMinutes = 60;
    private string? _error;

    [Inject]
    public required MaintenanceWindows Windows { get; init; }

    [Inject]
    public required IAlertRuleStore Rules { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    protected override async Task OnInitializedAsync()
    {
        // Only shows or hides the form; adding and deleting are decided again on the server for every click.
        _canEdit = await Current.UserAsync() is { Role: >= Role.Operator };
        _rules = await Rules.ListAsync();
        await LoadAsync();
    }

    /// <summary>The scope value's problem, once something is typed (a tag scope must be key=value).</summary>
    private string? ScopeError => string.IsNullOrEmpty(_scopeValue) ? null : MaintenanceWindow.ScopeProblem(_scopeKind, _scopeValue);

    private async Task LoadAsync()
    {
        _now = Clock.GetUtcNow();
        _windows = await Windows.ListAsync(await Current.ActorAsync());
    }

    private async Task AddAsync()
    {
        try
        {
            var actor = await Current.ActorAsync();
            var start = Clock.GetUtcNow().AddMinutes(_startsInMinutes);
            await Windows.AddAsync(actor, _name, new RuleScope(_scopeKind, _scopeValue ?? string.Empty), _ruleId, start, start.AddMinutes(_lengthMinutes));
            _error = null;
            _name = null;
            await LoadAsync();
        }
        catch (DomainException ex)
        {
            _error = ex.Message;
        }
    }

    private async Task DeleteAsync(Guid id)
    {
        _error = await Windows.DeleteAsync(await Current.ActorAsync(), id);
        await LoadAsync();
    }
}
