using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Compliance;
using PortalOps.Jobs.Compliance;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Compliance;

/// <summary>
/// One finding: its resource, evidence, history (first seen, last seen, resolved, each step), the exception covering it, and the ways
/// to act — remediate (plan → request through the pipeline) and grant an exception. Read through the Authorizer's scope: a finding
/// outside it reads as not found.
/// </summary>
public sealed partial class FindingDetail
{
    private Finding? _finding;
    private Policy? _policy;
    private Waiver? _waiver;
    private bool _loaded;

    [Parameter]
    public Guid Id { get; set; }

    [Inject]
    public required IFindingStore Findings { get; init; }

    [Inject]
    public required IPolicySource PolicySource { get; init; }

    [Inject]
    public required ExceptionList Exceptions { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    protected override Task OnParametersSetAsync() => LoadAsync();

    internal static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " UTC";

    internal static Color ColorOf(Domain.Compliance.Severity severity) => severity switch
    {
        Domain.Compliance.Severity.Critical => Color.Error,
        Domain.Compliance.Severity.High => Color.Warning,
        Domain.Compliance.Severity.Medium => Color.Info,
        _ => Color.Default,
    };

    private async Task LoadAsync()
    {
        var actor = await Current.ActorAsync();
        _finding = await Findings.FindAsync(Id, Authorizer.ReadScopeOf(actor));
        _policy = _finding is null ? null : (await PolicySource.CurrentAsync()).FirstOrDefault(p => p.Id == _finding.PolicyId);
        _waiver = _finding is null ? null : await Exceptions.ForFindingAsync(_finding);
        _loaded = true;
    }

    private Task OnAskedAsync(ActionResult result) => result.Status == ActionStatus.Executed ? LoadAsync() : Task.CompletedTask;
}
