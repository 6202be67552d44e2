using System.Security.Cryptography;
using System.Text;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Costs;

/// <summary>What one watch did.</summary>
public sealed record CostWatchSummary(int Budgets, int BudgetAlerts, int Anomalies, int Resolved, IReadOnlyList<string> Errors);

/// <summary>
/// Watches spend: each budget's month against its thresholds (actual and forecast), and each account's last complete day against the same
/// weekday's typical range. A crossing or an anomaly opens an alert in monitoring's alert lifecycle (<see cref="AlertSources"/>) and tells
/// the people who may see it (web inbox, Telegram). The alert's id comes from what it is about — budget, month, threshold and basis, or
/// account and day — so it opens once however often the watch runs, on however many nodes; budget alerts resolve when the month is over,
/// anomaly alerts when a later day is back in range.
/// </summary>
public sealed class CostWatch(
    IBudgetStore budgets,
    CostOverview overview,
    ISpendSource spend,
    ICloudProvider cloud,
    IAlertStore alerts,
    IUserStore users,
    INotifier notifier,
    TimeProvider clock)
{
    public AnomalySettings Anomalies { get; init; } = new();

    private DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>Budgets the person may see with this month's status.</summary>
    public async Task<IReadOnlyList<BudgetStatus>> StatusesAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        var list = new List<BudgetStatus>();
        foreach (var b in await budgets.ListAsync(Authorizer.ReadScopeOf(actor), cancellationToken))
        {
            list.Add(await StatusAsync(b, cancellationToken));
        }

        return list;
    }

    /// <summary>
    /// This month so far (the days before today, as Cost Explorer has them) and the month-end estimate: for an account budget month to date
    /// plus Cost Explorer's forecast of the rest; for a tag budget (Cost Explorer forecasts no tag) the run rate of the days so far.
    /// </summary>
    public async Task<BudgetStatus> StatusAsync(Budget budget, CancellationToken cancellationToken = default)
    {
        var today = Today;
        var month = new DateOnly(today.Year, today.Month, 1);
        var accounts = budget.Scope.Account == Scope.Any ? cloud.Accounts.Select(a => a.Id).ToList() : [budget.Scope.Account];
        if (budget.Scope.TagKey is null)
        {
            var s = await overview.SummaryAsync(accounts, 0, cancellationToken);
            return new BudgetStatus(budget, month, s.MonthToDate, s.MonthEndEstimate, "Cost Explorer forecast", s.AsOf);
        }

        if (today == month)
        {
            return new BudgetStatus(budget, month, 0, 0, "run rate", clock.GetUtcNow());
        }

        var report = await spend.GetAsync(new SpendQuery(month, today, SpendGranularity.Daily, SpendDimension.Tag, accounts, budget.Scope.TagKey), cancellationToken);
        var actual = report.Lines.Where(l => budget.Scope.Matches(l.Group)).Sum(l => l.Amount);
        var days = today.Day - 1;
        var forecast = decimal.Round(actual / days * DateTime.DaysInMonth(today.Year, today.Month), 2);
        return new BudgetStatus(budget, month, actual, forecast, "run rate", report.AsOf);
    }

    /// <summary>Judges every budget and every account, opens the alerts that are due, and resolves those that are over.</summary>
    public async Task<CostWatchSummary> RunAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var today = Today;
        var month = new DateOnly(today.Year, today.Month, 1);
        var people = await users.ListAsync(cancellationToken);
        var open = (await alerts.ListOpenAsync(cancellationToken)).Where(a => !AlertSources.IsRuleBased(a.RuleId)).ToList();
        var errors = new List<string>();
        int budgetAlerts = 0, anomalies = 0, resolved = 0;

        var all = await budgets.ListAsync(null, cancellationToken);
        foreach (var budget in all)
        {
            try
            {
                var status = await StatusAsync(budget, cancellationToken);
                foreach (var crossing in status.Crossings())
                {
                    var member = new AlertMember(budget.Scope.Target, budget.Name, now, (double)(crossing.Basis == BudgetBasis.Actual ? status.ActualPercent : status.ForecastPercent), crossing.Describe())
                    {
                        Tags = budget.Scope.Tags,
                    };
                    var alert = Alert.OpenFor(IdOf(crossing.AlertKey), AlertSources.CostBudget, $"Budget {budget.Name}: {crossing.Threshold} % {(crossing.Basis == BudgetBasis.Actual ? "spent" : "forecast")}",
                        crossing.Describe(), crossing.Threshold >= 100 ? Severity.Critical : Severity.Warning, [member], now);
                    budgetAlerts += await RaiseAsync(alert, people, cancellationToken) ? 1 : 0;
                }
            }
            catch (Exception e) when (e is CostRuleException or DomainException or HttpRequestException)
            {
                errors.Add($"Budget {budget.Name}: {e.Message}");
            }
        }

        foreach (var alert in open.Where(a => a.RuleId == AlertSources.CostBudget && a.OpenedAt < new DateTimeOffset(month.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)))
        {
            resolved += await ResolveAsync(alert, "the month is over", people, cancellationToken) ? 1 : 0;
        }

        var day = today.AddDays(-1);
        foreach (var account in cloud.Accounts.Select(a => a.Id).Distinct())
        {
            try
            {
                var report = await spend.GetAsync(SpendAnomalies.Question(account, day, Anomalies), cancellationToken);
                if (SpendAnomalies.Judge(account, report.Lines, day, Anomalies) is { } anomaly)
                {
                    var member = new AlertMember(new Instances.InstanceRef(account, BudgetScope.AllRegions, "spend"), $"Spend of {account}", now, (double)anomaly.Amount, anomaly.Describe());
                    var alert = Alert.OpenFor(IdOf(anomaly.AlertKey), AlertSources.SpendAnomaly, $"Spend anomaly in {account} on {day:yyyy-MM-dd}", anomaly.Describe(), Severity.Warning, [member], now);
                    anomalies += await RaiseAsync(alert, people, cancellationToken) ? 1 : 0;
                }
                else
                {
                    foreach (var alert in open.Where(a => a.RuleId == AlertSources.SpendAnomaly && a.Members.Any(m => m.Instance.AccountId == account) && a.OpenedAt < now.AddHours(-12)))
                    {
                        resolved += await ResolveAsync(alert, $"spend on {day:yyyy-MM-dd} was back within the usual range", people, cancellationToken) ? 1 : 0;
                    }
                }
            }
            catch (Exception e) when (e is CostRuleException or DomainException or HttpRequestException)
            {
                errors.Add($"Anomalies of {account}: {e.Message}");
            }
        }

        return new CostWatchSummary(all.Count, budgetAlerts, anomalies, resolved, errors);
    }

    /// <summary>A stable alert id from what the alert is about (the first 16 bytes of its SHA-256).</summary>
    public static Guid IdOf(string alertKey)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(alertKey), hash);
        return new Guid(hash[..16]);
    }

    /// <summary>Opens the alert unless one with its id exists, and tells people once; true when this run opened it.</summary>
    private async Task<bool> RaiseAsync(Alert candidate, IReadOnlyList<PortalUser> people, CancellationToken cancellationToken)
    {
        var alert = await alerts.FindAsync(candidate.Id, cancellationToken);
        var opened = false;
        if (alert is null)
        {
            try
            {
                await alerts.AddAsync(candidate, cancellationToken);
                alert = candidate;
                opened = true;
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Another run opened it a moment ago (the id is its key): that run tells people.
                if (await alerts.FindAsync(candidate.Id, cancellationToken) is not null)
                {
                    return false;
                }

                throw;
            }
        }

        if (alert.DueNotice(clock.GetUtcNow(), TimeSpan.Zero) is NoticeKind.Opened)
        {
            await NotifyAsync(alert, NoticeKind.Opened, people, cancellationToken);
        }

        return opened;
    }

    private async Task<bool> ResolveAsync(Alert alert, string reason, IReadOnlyList<PortalUser> people, CancellationToken cancellationToken)
    {
        var version = alert.Version;
        alert.Resolve(Actor.System(), reason, clock.GetUtcNow());
        try
        {
            await alerts.UpdateAsync(alert, version, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            return false;
        }

        if (alert.DueNotice(clock.GetUtcNow(), TimeSpan.Zero) is NoticeKind.Resolved)
        {
            await NotifyAsync(alert, NoticeKind.Resolved, people, cancellationToken);
        }

        return true;
    }

    private async Task NotifyAsync(Alert alert, NoticeKind kind, IReadOnlyList<PortalUser> people, CancellationToken cancellationToken)
    {
        var version = alert.Version;
        alert.MarkNotified(kind, clock.GetUtcNow());
        try
        {
            await alerts.UpdateAsync(alert, version, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            return; // another run told people
        }

        var recipients = people.Where(u => !u.IsDisabled && Authorizer.MaySee(u.AsActor(Channel.System), alert)).Select(u => u.Id).ToList();
        if (recipients.Count > 0)
        {
            var notice = new AlertNotice(alert, kind, recipients);
            await notifier.NotifyAsync(new Notification(NotificationKind.Alert, AlertDigest.TitleOf(notice), AlertDigest.BodyOf(alert), recipients) { AlertId = alert.Id }, cancellationToken);
        }
    }
}
