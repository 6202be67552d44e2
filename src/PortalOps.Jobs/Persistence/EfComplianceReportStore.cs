using Microsoft.EntityFrameworkCore;
using PortalOps.Domain.Compliance.Reports;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Persistence;

/// <summary>Kept compliance reports in the portal database; the unique (schedule, period) index makes a second run keep nothing.</summary>
public sealed class EfComplianceReportStore(IDbContextFactory<PortalDbContext> contexts) : IComplianceReportStore
{
    public async Task<bool> TryAddAsync(StoredReport report, byte[] content, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.ComplianceReports.AnyAsync(r => r.Schedule == report.Schedule && r.PeriodKey == report.PeriodKey, cancellationToken))
        {
            return false;
        }

        db.ComplianceReports.Add(ToRow(report));
        db.ComplianceReportFiles.Add(new ComplianceReportFileRow { ReportId = report.Id, Content = content });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            // Another node kept the same schedule and period between the check and the insert.
            return false;
        }
    }

    public async Task<StoredReport?> FindAsync(string schedule, string periodKey, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.ComplianceReports.AsNoTracking().SingleOrDefaultAsync(r => r.Schedule == schedule && r.PeriodKey == periodKey, cancellationToken);
        return row is null ? null : ToReport(row);
    }

    public async Task<IReadOnlyList<StoredReport>> ListAsync(ReadScope reader, int take, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        // Few rows (one per schedule and period), and visibility compares scope lists: filtered here rather than in SQL.
        var rows = await db.ComplianceReports.AsNoTracking().OrderByDescending(r => r.GeneratedAt).ThenByDescending(r => r.Id).ToListAsync(cancellationToken);
        return rows.Select(ToReport).Where(r => r.VisibleTo(reader)).Take(Math.Clamp(take, 1, 500)).ToList();
    }

    public async Task<(StoredReport Report, byte[] Content)?> OpenAsync(Guid id, ReadScope reader, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.ComplianceReports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (row is null || ToReport(row) is not { } report || !report.VisibleTo(reader))
        {
            return null;
        }

        var file = await db.ComplianceReportFiles.AsNoTracking().SingleAsync(f => f.ReportId == id, cancellationToken);
        return (report, file.Content);
    }

    public async Task MarkDeliveryAsync(Guid id, DateTimeOffset? deliveredAt, string? problem, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.ComplianceReports.Where(r => r.Id == id).ExecuteUpdateAsync(
            set =>
            {
                set.SetProperty(r => r.DeliveredAt, deliveredAt);
                set.SetProperty(r => r.DeliveryProblem, problem);
            },
            cancellationToken);
    }

    public async Task MarkEmailAsync(Guid id, DateTimeOffset? emailedAt, string? problem, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.ComplianceReports.Where(r => r.Id == id).ExecuteUpdateAsync(
            set =>
            {
                set.SetProperty(r => r.EmailedAt, emailedAt);
                set.SetProperty(r => r.EmailProblem, problem);
            },
            cancellationToken);
    }

    public async Task<int> PruneAsync(string schedule, int? keepLast, DateTimeOffset? olderThan, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        // Few rows (one per schedule and period): pick in memory, delete by id. Safe to run twice or on two nodes at once.
        var rows = await db.ComplianceReports.AsNoTracking()
            .Select(r => new { r.Id, r.Schedule, r.GeneratedAt })
            .ToListAsync(cancellationToken);
        var remove = new HashSet<Guid>();
        foreach (var group in rows.GroupBy(r => r.Schedule))
        {
            var newestFirst = group.OrderByDescending(r => r.GeneratedAt).ThenByDescending(r => r.Id).ToList();
            var older = newestFirst.Skip(1);
            if (keepLast is { } n && group.Key == schedule)
            {
                remove.UnionWith(newestFirst.Skip(Math.Max(n, 1)).Select(r => r.Id));
            }

            if (olderThan is { } before)
            {
                remove.UnionWith(older.Where(r => r.GeneratedAt < before).Select(r => r.Id));
            }
        }

        if (remove.Count == 0)
        {
            return 0;
        }

        var ids = remove.ToList();
        await db.ComplianceReportFiles.Where(f => ids.Contains(f.ReportId)).ExecuteDeleteAsync(cancellationToken);
        return await db.ComplianceReports.Where(r => ids.Contains(r.Id)).ExecuteDeleteAsync(cancellationToken);
    }

    private static ComplianceReportRow ToRow(StoredReport r) => new()
    {
        Id = r.Id, Schedule = r.Schedule, PeriodKey = r.PeriodKey, From = r.From, To = r.To, Scopes = string.Join(' ', r.Scopes),
        GeneratedAt = r.GeneratedAt, OpenFindings = r.OpenFindings, Score = r.Score, FileName = r.FileName, Size = r.Size,
        TelegramChatId = r.TelegramChatId, DeliveredAt = r.DeliveredAt, DeliveryProblem = r.DeliveryProblem,
        EmailTo = string.Join('\n', r.EmailTo), EmailedAt = r.EmailedAt, EmailProblem = r.EmailProblem,
    };

    private static StoredReport ToReport(ComplianceReportRow r) =>
        new(r.Id, r.Schedule, r.PeriodKey, r.From, r.To, r.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Scope.Parse).ToList(),
            r.GeneratedAt, r.OpenFindings, r.Score, r.FileName, r.Size)
        {
            TelegramChatId = r.TelegramChatId, DeliveredAt = r.DeliveredAt, DeliveryProblem = r.DeliveryProblem,
            EmailTo = r.EmailTo.Split('\n', StringSplitOptions.RemoveEmptyEntries), EmailedAt = r.EmailedAt, EmailProblem = r.EmailProblem,
        };
}
