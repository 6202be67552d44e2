using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Monitoring;

namespace PortalOps.Web.Components.Pages.Monitoring;

/// <summary>The alert rules; Approvers and Admins open one to edit it.</summary>
public sealed partial class Rules
{
    private IReadOnlyList<AlertRule> _rules = [];

    [Inject]
    public required IAlertRuleStore Store { get; init; }

    protected override async Task OnInitializedAsync() => _rules = await Store.ListAsync();
}
