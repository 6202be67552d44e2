using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Costs;

/// <summary>Where an applied recommendation stands: waiting for approval or execution, carried out (saving from then on), or not carried out.</summary>
public enum SavingState
{
    Pending,
    Realized,
    NotCarriedOut,
}

/// <summary>
/// An applied recommendation and what the resource cost a month before and after the change (list prices of its configuration then and
/// now). It saves from the moment the approved action completed; the saving so far accrues by the hour.
/// </summary>
public sealed record AppliedSaving(
    Guid Id,
    string RecommendationKey,
    RecommendationKind Kind,
    InstanceRef Resource,
    string ResourceName,
    IReadOnlyDictionary<string, string> Tags,
    string Description,
    decimal MonthlyBefore,
    decimal MonthlyAfter,
    Guid? ApprovalId,
    DateTimeOffset RequestedAt,
    string RequestedBy,
    SavingState State,
    DateTimeOffset? RealizedAt,
    string? Outcome)
{
    /// <summary>Hours in an average month, as the price table counts them.</summary>
    public const decimal HoursPerMonth = 730m;

    public decimal MonthlySaving => MonthlyBefore - MonthlyAfter;

    public Footprint Footprint => Footprint.Of(Resource.AccountId, Resource.Region, Tags);

    /// <summary>What the change saved from its completion until <paramref name="at"/>.</summary>
    public decimal SavedUntil(DateTimeOffset at) =>
        State == SavingState.Realized && RealizedAt is { } from && at > from ? MonthlySaving * (decimal)(at - from).TotalHours / HoursPerMonth : 0m;

    /// <summary>The record of applying <paramref name="r"/>, before/after from the price table where it knows the types, else from the saving.</summary>
    public static AppliedSaving Of(Recommendation r, Guid? approvalId, string requestedBy, DateTimeOffset at)
    {
        var before = r.Kind switch
        {
            RecommendationKind.Rightsize or RecommendationKind.Modernize or RecommendationKind.StopIdle when r.CurrentType is not null
                => PriceTable.Monthly(r.Region, r.CurrentType) ?? r.MonthlySaving,
            RecommendationKind.ConvertToGp3 => r.MonthlySaving * 5m, // gp3 is 20 % cheaper than gp2
            _ => r.MonthlySaving,
        };
        before = Math.Max(before, r.MonthlySaving);
        return new AppliedSaving(approvalId ?? Guid.CreateVersion7(at), r.Key, r.Kind, r.Resource, r.ResourceName, r.Tags, r.Describe(),
            decimal.Round(before, 2), decimal.Round(before - r.MonthlySaving, 2), approvalId, at, requestedBy, approvalId is null ? SavingState.Realized : SavingState.Pending,
            approvalId is null ? at : null, null);
    }
}

/// <summary>The running total of realized savings the person may see, per day, with the monthly rate now reached.</summary>
public sealed record SavingsOverview(decimal SavedToDate, decimal MonthlyRate, int Realized, int Pending, IReadOnlyList<(DateOnly Day, decimal Cumulative)> Daily);

/// <summary>Keeps applied recommendations; reads are scoped by the resource's footprint.</summary>
public interface ISavingsStore
{
    /// <summary>Adds the record unless one with its id exists (so a retried Apply records once).</summary>
    Task AddAsync(AppliedSaving saving, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<AppliedSaving>> ListAsync(ReadScope? visibleTo, CancellationToken cancellationToken = default);

    Task<Page<AppliedSaving>> QueryAsync(ReadScope? visibleTo, SavingState? state, int pageIndex, int pageSize, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<AppliedSaving>> ListPendingAsync(CancellationToken cancellationToken = default);

    Task SettleAsync(Guid id, SavingState state, DateTimeOffset? realizedAt, string? outcome, CancellationToken cancellationToken = default);
}

/// <summary>
/// Realized savings: an applied recommendation counts once its approved action has completed (the approval's outcome), from that moment,
/// at the difference between the resource's monthly cost before and after. Denied, expired and failed ones never count.
/// </summary>
public sealed class SavingsTracker(ISavingsStore store, IApprovalStore approvals, TimeProvider clock)
{
    /// <summary>Settles pending records from their approvals' outcomes; returns how many changed. Safe to run twice.</summary>
    public async Task<int> SettleAsync(CancellationToken cancellationToken = default)
    {
        var changed = 0;
        foreach (var pending in await store.ListPendingAsync(cancellationToken))
        {
            if (pending.ApprovalId is not { } id || await approvals.FindAsync(id, cancellationToken) is not { } request)
            {
                continue;
            }

            switch (request.Status)
            {
                case ApprovalStatus.Executed:
                    await store.SettleAsync(pending.Id, SavingState.Realized, request.CompletedAt ?? clock.GetUtcNow(), request.Outcome, cancellationToken);
                    changed++;
                    break;
                case ApprovalStatus.Denied or ApprovalStatus.Expired or ApprovalStatus.Failed:
                    await store.SettleAsync(pending.Id, SavingState.NotCarriedOut, null, request.Outcome ?? request.DecisionReason ?? request.Status.ToString(), cancellationToken);
                    changed++;
                    break;
            }
        }

        return changed;
    }

    /// <summary>The running total the person may see, day by day over the last <paramref name="days"/> days (today included, to now).</summary>
    public async Task<SavingsOverview> OverviewAsync(Actor actor, int days = 90, CancellationToken cancellationToken = default)
    {
        var all = await store.ListAsync(Authorizer.ReadScopeOf(actor), cancellationToken);
        return Summarize(all, clock.GetUtcNow(), days);
    }

    public Task<Page<AppliedSaving>> QueryAsync(Actor actor, SavingState? state, int pageIndex, int pageSize, CancellationToken cancellationToken = default) =>
        store.QueryAsync(Authorizer.ReadScopeOf(actor), state, pageIndex, pageSize, cancellationToken);

    /// <summary>Pure: the cumulative saving at the end of each day (now for today), the monthly rate and the counts.</summary>
    public static SavingsOverview Summarize(IReadOnlyList<AppliedSaving> all, DateTimeOffset now, int days)
    {
        var realized = all.Where(s => s.State == SavingState.Realized).ToList();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var daily = new List<(DateOnly, decimal)>();
        for (var d = today.AddDays(1 - days); d <= today; d = d.AddDays(1))
        {
            var end = d == today ? now : new DateTimeOffset(d.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            daily.Add((d, decimal.Round(realized.Sum(s => s.SavedUntil(end)), 2)));
        }

        return new SavingsOverview(decimal.Round(realized.Sum(s => s.SavedUntil(now)), 2), realized.Sum(s => s.MonthlySaving), realized.Count,
            all.Count(s => s.State == SavingState.Pending), daily);
    }
}
