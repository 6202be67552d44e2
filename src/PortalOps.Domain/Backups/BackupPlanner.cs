namespace PortalOps.Domain.Backups;

/// <summary>
/// Which rule windows are due: for each enabled policy and rule, the latest firing in the last <see cref="CatchUp"/> (never one before
/// the policy existed). Earlier missed firings are not replayed one by one: the latest point supersedes them, and the RPO report shows the gap.
/// </summary>
public sealed class BackupPlanner(ICronSchedule cron)
{
    /// <summary>How late a window may still be started (a node that was down for less than this catches up once).</summary>
    public TimeSpan CatchUp { get; init; } = TimeSpan.FromHours(6);

    public IReadOnlyList<BackupWindow> Due(IEnumerable<BackupPolicy> policies, DateTimeOffset now)
    {
        var due = new List<BackupWindow>();
        foreach (var policy in policies.Where(p => p.Enabled))
        {
            var from = now - CatchUp;
            if (policy.CreatedAt > from)
            {
                from = policy.CreatedAt;
            }

            foreach (var rule in policy.Rules)
            {
                DateTimeOffset? latest = null;
                foreach (var at in cron.Occurrences(rule.Cron, rule.TimeZone, from, now))
                {
                    latest = at;
                }

                if (latest is { } start)
                {
                    due.Add(new BackupWindow(policy.Id, rule.Name, start));
                }
            }
        }

        return due;
    }

    /// <summary>The next firing of any of the policy's rules after <paramref name="now"/> (for pages), or null.</summary>
    public DateTimeOffset? Next(BackupPolicy policy, DateTimeOffset now) =>
        policy.Rules
            .Select(r => cron.Occurrences(r.Cron, r.TimeZone, now, now.AddYears(1)).Cast<DateTimeOffset?>().FirstOrDefault())
            .Where(t => t is not null)
            .Min();
}
