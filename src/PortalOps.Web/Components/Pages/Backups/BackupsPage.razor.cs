using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Instances;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Backups;

/// <summary>
/// Backup policies, recent runs and protected instances with their RPO, each only within the person's read scope; Operators and up
/// back a policy rule up now through the action pipeline.
/// </summary>
public sealed partial class BackupsPage
{
    private IReadOnlyList<BackupPolicy> _policies = [];
    private MudTable<ProtectedInstance>? _protectedTable;
    private MudTable<BackupRun>? _runTable;
    private MudTable<UnprotectedInstance>? _unprotectedTable;
    private MudTable<BackupDrill>? _drillTable;
    private BackupRunStatus? _runStatus;
    private IReadOnlyList<ProtectedInstance> _drillCandidates = [];
    private IReadOnlyCollection<string> _drillChoice = [];
    private string? _drillType;
    private string _protectTag = BackupCoverage.DefaultTagKey;
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

    [Inject]
    public required IInventory Inventory { get; init; }

    /// <summary>Drills and settings are optional here (a portal without the backup jobs still shows policies and runs).</summary>
    [Inject]
    public required IServiceProvider Services { get; init; }

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        var scope = Authorizer.ReadScopeOf(await Current.ActorAsync());
        _now = Clock.GetUtcNow();
        _policies = (await PolicyStore.ListAsync()).Where(p => scope.Covers(p.Footprint)).OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToList();
        _protectTag = (Services.GetService(typeof(Microsoft.Extensions.Options.IOptions<PortalOps.Jobs.Backups.BackupsOptions>)) as Microsoft.Extensions.Options.IOptions<PortalOps.Jobs.Backups.BackupsOptions>)?.Value.ProtectTagKey
            ?? BackupCoverage.DefaultTagKey;
        _drillCandidates = (await Protection.ListAsync(scope)).Where(p => p.Copies).GroupBy(p => p.Instance).Select(g => g.First())
            .OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>Runs are paged, filtered and searched in the store (newest first), within the person's scope.</summary>
    private async Task<TableData<BackupRun>> LoadRunsAsync(TableState state, CancellationToken cancellationToken)
    {
        var scope = Authorizer.ReadScopeOf(await Current.ActorAsync(cancellationToken));
        var page = await RunStore.QueryAsync(scope, new BackupRunQuery(state.Page, Math.Min(state.PageSize, 200), Status: _runStatus)
        {
            Search = string.IsNullOrWhiteSpace(_text) ? null : _text.Trim(),
        }, cancellationToken);
        return new TableData<BackupRun> { Items = page.Items, TotalItems = page.TotalCount };
    }

    /// <summary>Instances the person may see whose tags ask for backups and that no enabled policy selects.</summary>
    private async Task<TableData<UnprotectedInstance>> LoadUnprotectedAsync(TableState state, CancellationToken cancellationToken)
    {
        var actor = await Current.ActorAsync(cancellationToken);
        var all = await BackupCoverage.FindAsync(Inventory, PolicyStore, actor.Scopes, _protectTag, cancellationToken);
        var rows = all.Where(u => Matches(u.Instance.Name, u.Instance.InstanceId, u.Instance.AccountId, u.Instance.Region)).ToList();
        return new TableData<UnprotectedInstance> { Items = rows.Skip(state.Page * state.PageSize).Take(state.PageSize).ToList(), TotalItems = rows.Count };
    }

    private async Task<TableData<BackupDrill>> LoadDrillsAsync(TableState state, CancellationToken cancellationToken)
    {
        if (Services.GetService(typeof(IBackupDrillStore)) is not IBackupDrillStore drills)
        {
            return new TableData<BackupDrill> { Items = [], TotalItems = 0 };
        }

        var scope = Authorizer.ReadScopeOf(await Current.ActorAsync(cancellationToken));
        var page = await drills.QueryAsync(scope, state.Page, Math.Min(state.PageSize, 200), cancellationToken);
        return new TableData<BackupDrill> { Items = page.Items, TotalItems = page.TotalCount };
    }

    private async Task StartDrillAsync()
    {
        _busy = true;
        try
        {
            var chosen = _drillChoice.Select(c => InstanceRef.TryParse(c, out var r) ? r : null).OfType<InstanceRef>().ToList();
            var result = await Actions.DrillAsync(await Current.ActorAsync(), chosen, _drillType, Guid.NewGuid().ToString("N"));
            Snackbar.Add($"DR drill: {result.Message}".Trim(), result.Status switch
            {
                ActionStatus.Executed => Severity.Success,
                ActionStatus.PendingApproval => Severity.Info,
                _ => Severity.Error,
            });
            if (result.IsSuccess)
            {
                _drillChoice = [];
            }

            if (_drillTable is not null)
            {
                await _drillTable.ReloadServerData();
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task OnRunStatusChanged(BackupRunStatus? status)
    {
        _runStatus = status;
        if (_runTable is not null)
        {
            await _runTable.ReloadServerData();
        }
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

    private async Task OnTextChanged(string? text)
    {
        _text = text;
        foreach (var reload in new Func<Task>?[] { _protectedTable is null ? null : _protectedTable.ReloadServerData, _runTable is null ? null : _runTable.ReloadServerData, _unprotectedTable is null ? null : _unprotectedTable.ReloadServerData })
        {
            if (reload is not null)
            {
                await reload();
            }
        }
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

            if (_runTable is not null)
            {
                await _runTable.ReloadServerData();
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private bool PolicyMatches(BackupPolicy p) =>
        Matches(p.Name, p.AccountId, p.Region, p.Copy?.Region, p.UpdatedByName) || p.Rules.Any(r => Matches(r.Name, r.Cron));

    private bool Matches(params string?[] values) =>
        string.IsNullOrWhiteSpace(_text) || values.Any(v => v is not null && v.Contains(_text.Trim(), StringComparison.OrdinalIgnoreCase));

    private static string Minutes(TimeSpan span) => $"{span.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} min";

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
