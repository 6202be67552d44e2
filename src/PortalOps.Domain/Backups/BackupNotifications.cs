using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Backups;

/// <summary>Notices already sent, by key, so each goes out once across nodes and runs.</summary>
public interface IBackupNotices
{
    /// <summary>Claims the keys not claimed before and returns them (the caller then sends exactly those).</summary>
    Task<IReadOnlySet<string>> UnsentAsync(IReadOnlyCollection<string> keys, DateTimeOffset now, CancellationToken cancellationToken = default);
}

/// <summary>
/// Tells owners about failed backups and missed RPOs, rolled up: one message per group of people who would get the same list. The
/// owners of an instance are the Operators and up who may see it and the person its <c>Owner</c> (or <c>owner</c>, <c>team</c>) tag names;
/// nobody hears about an instance the Authorizer would not show them. A missed RPO is told once per instance and due time.
/// </summary>
public sealed class BackupNotifications(IUserStore users, INotifier notifier, IBackupProtectionStore protection, IBackupNotices notices, TimeProvider clock) : IBackupNotifier
{
    public const int MaxListed = 10;

    public async Task RunFinishedAsync(BackupRun run, CancellationToken cancellationToken = default)
    {
        var failed = run.Items.Where(i => i.Status == BackupItemStatus.Failed).ToList();
        if (failed.Count == 0)
        {
            return;
        }

        var lines = failed.Select(i => new Line(Footprint.Of(i.Instance.AccountId, i.Instance.Region, i.Tags), Owner(i.Tags),
            $"• {i.Name} ({i.Instance.InstanceId}): {Fit(i.Error ?? "failed", 300)}")).ToList();
        await SendAsync(lines, n => $"Backup {run.RuleName} of {run.PolicyName} at {BackupTags.WindowText(run.WindowStart)}: {n} instance(s) failed",
            "The Backup & DR page has the run with AWS's errors.", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Tells owners about every instance whose RPO is missed and was not told yet for this due time; returns how many were told.</summary>
    public async Task<int> NotifyMissedAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var missed = (await protection.ListAsync(new ReadScope([], Everything: true), cancellationToken).ConfigureAwait(false))
            .Where(p => p.StatusAt(now) is RpoStatus.Missed or RpoStatus.Never)
            .ToDictionary(p => $"rpo/{p.PolicyId:N}/{p.Instance}/{p.DueBy:O}", StringComparer.Ordinal);
        var fresh = await notices.UnsentAsync(missed.Keys, now, cancellationToken).ConfigureAwait(false);
        var told = missed.Where(m => fresh.Contains(m.Key)).Select(m => m.Value).OrderBy(p => p.DueBy).ToList();
        if (told.Count == 0)
        {
            return 0;
        }

        var lines = told.Select(p => new Line(p.Footprint, Owner(p.Tags),
            $"• {p.Name} ({p.Instance.InstanceId}) under {p.PolicyName}: last good {(p.LastGood is { } g ? g.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture) : "never")}, RPO {p.Rpo.TotalHours:0.#} h"
            + (p.LastError is { Length: > 0 } e ? $" — {Fit(e, 200)}" : string.Empty))).ToList();
        await SendAsync(lines, n => $"Backups: {n} instance(s) missed their RPO", "The Backup & DR page lists them under Protected instances (Overdue only).", cancellationToken).ConfigureAwait(false);
        return told.Count;
    }

    private async Task SendAsync(IReadOnlyList<Line> lines, Func<int, string> title, string footer, CancellationToken cancellationToken)
    {
        var people = (await users.ListAsync(cancellationToken).ConfigureAwait(false)).Where(u => !u.IsDisabled).ToList();
        var perPerson = people
            .Select(u => (User: u, Lines: lines.Where(l => Authorizer.MaySee(u.AsActor(Channel.System), l.Footprint) && (u.Role >= Role.Operator || Named(u, l.Owner))).ToList()))
            .Where(x => x.Lines.Count > 0)
            .GroupBy(x => string.Join('\n', x.Lines.Select(l => l.Text)), StringComparer.Ordinal);
        foreach (var group in perPerson)
        {
            var mine = group.First().Lines;
            var body = string.Join('\n', mine.Take(MaxListed).Select(l => l.Text))
                + (mine.Count > MaxListed ? $"\n… and {mine.Count - MaxListed} more." : string.Empty) + "\n" + footer;
            await notifier.NotifyAsync(new Notification(NotificationKind.Alert, title(mine.Count), body, group.Select(x => x.User.Id).ToList()), cancellationToken).ConfigureAwait(false);
        }
    }

    private static string? Owner(IReadOnlyDictionary<string, string> tags) =>
        tags.GetValueOrDefault("Owner") ?? tags.GetValueOrDefault("owner") ?? tags.GetValueOrDefault("team");

    private static bool Named(PortalUser user, string? name) =>
        !string.IsNullOrWhiteSpace(name) && (string.Equals(user.UserName, name, StringComparison.OrdinalIgnoreCase) || string.Equals(user.DisplayName, name, StringComparison.OrdinalIgnoreCase));

    private static string Fit(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    private sealed record Line(Footprint Footprint, string? Owner, string Text);
}
