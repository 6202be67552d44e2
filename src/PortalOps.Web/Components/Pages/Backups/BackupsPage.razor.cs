using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Backups;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Backups;

/// <summary>
/// Backup policies, recent runs and protected instances with their RPO, each only within the person's read scope; Operators and up
/// back a policy rule up now through the action pipeline.
/// </summary>
public sealed partial class BackupsPage
{
    private const int RecentRuns = 100;

    private IReadOnlyList<BackupPolicy> _policies = [];
    private IReadOnlyList<BackupRun> _runs = [];
    private MudTable<ProtectedInstance>? _protectedTable;
    private bool _missedOnly;
    private DateTimeOffset _now;
    private string? _text;
    private bool _busy;

    [Inject]
    public required IBackupPolicyStore PolicyStore { get; init; }

    [Inject]
    public required IBackupRunStore RunStore { get; init; }

    [Inject]
    public required IBackupProtectionStore Protection { get; init; }

    [Inject]
    public required BackupActions Actions { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required TimeProvider Clock { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        var scope = Authorizer.ReadScopeOf(await Current.ActorAsync());
        _now = Clock.GetUtcNow();
        _policies = (await PolicyStore.ListAsync()).Where(p => scope.Covers(p.Footprint)).OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToList();
        _runs = (await RunStore.QueryAsync(scope, new BackupRunQuery(PageSize: RecentRuns))).Items;
    }

    /// <summary>Protected instances are paged and searched in the store (most overdue first), within the person's scope.</summary>
    private async Task<TableData<ProtectedInstance>> LoadProtectedAsync(TableState state, CancellationToken cancellationToken)
    {
        var scope = Authorizer.ReadScopeOf(await Current.ActorAsync(cancellationToken));
        _now = Clock.GetUtcNow();
        var page = await Protection.QueryAsync(new ProtectionQuery(scope, _now, state.Page, Math.Min(state.PageSize, ProtectionQuery.MaxPageSize),
            string.IsNullOrWhiteSpace(_text) ? null : _text.Trim(), MissedOnly: _missedOnly), cancellationToken);
        return new TableData<ProtectedInstance> { Items = page.Items, TotalItems = page.TotalCount };
    }

    private Task OnTextChanged(string? text)
    {
        _text = text;
        return _protectedTable?.ReloadServerData() ?? Task.CompletedTask;
    }

    private Task OnMissedOnlyChanged(bool missedOnly)
    {
        _missedOnly = missedOnly;
        return _protectedTable?.ReloadServerData() ?? Task.CompletedTask;
    }

    private async Task BackUpNowAsync(BackupPolicy policy, string rule)
    {
        _busy = true;
        try
        {
            var result = await Actions.RunNowAsync(await Current.ActorAsync(), policy, rule, Guid.NewGuid().ToString("N"));
            var (text, severity) = result.Status switch
            {
                ActionStatus.PendingApproval => ($"{policy.Name} / {rule}: waiting for approval. {result.Message}", Severity.Info),
                ActionStatus.Executed => ($"{policy.Name} / {rule}: started. {result.Message}", Severity.Success),
                _ => ($"{policy.Name} / {rule}: {result.Message}", result.IsSuccess ? Severity.Info : Severity.Error),
            };
            Snackbar.Add(text.Trim(), severity);
            await LoadAsync();
            if (_protectedTable is not null)
            {
                await _protectedTable.ReloadServerData();
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private bool PolicyMatches(BackupPolicy p) =>
        Matches(p.Name, p.AccountId, p.Region, p.Copy?.Region, p.UpdatedByName) || p.Rules.Any(r => Matches(r.Name, r.Cron));

    private bool RunMatches(BackupRun r) => Matches(r.PolicyName, r.RuleName, r.AccountId, r.Region, r.Status.ToString());

    private bool Matches(params string?[] values) =>
        string.IsNullOrWhiteSpace(_text) || values.Any(v => v is not null && v.Contains(_text.Trim(), StringComparison.OrdinalIgnoreCase));

    private static string When(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "—";

    internal static string Label(RpoStatus status) => status switch
    {
        RpoStatus.Met => "met",
        RpoStatus.Missed => "missed",
        RpoStatus.Never => "never backed up",
        _ => "waiting",
    };

    private static Color ColorOf(RpoStatus status) => status switch
    {
        RpoStatus.Met => Color.Success,
        RpoStatus.Missed or RpoStatus.Never => Color.Error,
        _ => Color.Default,
    };

    private static Color ColorOf(BackupRunStatus status) => status switch
    {
        BackupRunStatus.Succeeded => Color.Success,
        BackupRunStatus.PartlyFailed => Color.Warning,
        BackupRunStatus.Failed => Color.Error,
        _ => Color.Info,
    };
}
