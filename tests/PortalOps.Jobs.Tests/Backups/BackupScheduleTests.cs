using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Backups;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Backups;

namespace PortalOps.Jobs.Tests.Backups;

/// <summary>Cron rules read in a time zone, the windows the planner finds due with a fake clock (across DST changes), and the editor's validation.</summary>
public sealed class BackupScheduleTests
{
    private static readonly CronosSchedule Cron = new();
    private static readonly Actor Operator = new(Guid.NewGuid(), "olga", Role.Operator, [Scope.Everything], Channel.Web);

    public static BackupPolicyDraft Draft(params BackupRule[] rules) => new(
        "web-daily", "123456789012", "eu-central-1", new Dictionary<string, string> { ["Backup"] = "daily" }, [],
        rules.Length == 0 ? [new BackupRule("daily", "30 2 * * *", "Europe/Berlin", 14, 30)] : rules,
        Copy: new DisasterRecoveryCopy("eu-west-1", null, 7));

    private static BackupPolicy Policy(DateTimeOffset created, params BackupRule[] rules) => BackupPolicy.Create(Draft(rules), Cron, Operator, created);

    /// <summary>Steps a fake clock every ten minutes and claims each due window once, as the run store's unique key does.</summary>
    private static List<DateTimeOffset> Walk(BackupPolicy policy, DateTimeOffset from, DateTimeOffset to)
    {
        var clock = new FakeTimeProvider(from);
        var planner = new BackupPlanner(Cron);
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        var windows = new List<DateTimeOffset>();
        while (clock.GetUtcNow() < to)
        {
            clock.Advance(TimeSpan.FromMinutes(10));
            foreach (var w in planner.Due([policy], clock.GetUtcNow()))
            {
                // A second node (or a restart) asking at the same moment finds the same key.
                Assert.Contains(w.Key, planner.Due([policy], clock.GetUtcNow()).Select(x => x.Key));
                if (claimed.Add(w.Key))
                {
                    windows.Add(w.Start);
                }
            }
        }

        return windows;
    }

    [Fact]
    public void Due_DailyRuleAcrossSpringForward_RunsOncePerDayAtTheShiftedTime()
    {
        var policy = Policy(Utc(2026, 3, 26, 12));

        var windows = Walk(policy, Utc(2026, 3, 27, 0), Utc(2026, 3, 31, 0));

        // 02:30 does not exist in Berlin on 29 March 2026: the window runs when the clocks have jumped (03:00 CEST = 01:00Z).
        Assert.Equal([Utc(2026, 3, 27, 1, 30), Utc(2026, 3, 28, 1, 30), Utc(2026, 3, 29, 1, 0), Utc(2026, 3, 30, 0, 30)], windows);
    }

    [Fact]
    public void Due_DailyRuleAcrossFallBack_RunsOnceAlthoughTheTimeHappensTwice()
    {
        var policy = Policy(Utc(2026, 10, 23, 12));

        var windows = Walk(policy, Utc(2026, 10, 24, 0), Utc(2026, 10, 27, 0));

        Assert.Equal([Utc(2026, 10, 24, 0, 30), Utc(2026, 10, 25, 0, 30), Utc(2026, 10, 26, 1, 30)], windows);
    }

    [Fact]
    public void Due_HourlyRuleOnTheFallBackDay_Runs25DistinctWindows()
    {
        var policy = Policy(Utc(2026, 10, 23, 12), new BackupRule("hourly", "0 * * * *", "Europe/Berlin", 24));

        // The local day 25 October 2026 runs from 22:00Z on the 24th to 23:00Z on the 25th: 25 hours.
        var windows = Walk(policy, Utc(2026, 10, 24, 21, 55), Utc(2026, 10, 25, 22, 55));

        Assert.Equal(25, windows.Count);
        Assert.Equal(25, windows.Distinct().Count());
        Assert.Equal(Utc(2026, 10, 24, 22), windows[0]);
        Assert.Equal(Utc(2026, 10, 25, 22), windows[^1]);
    }

    [Fact]
    public void Due_NewPolicy_DoesNotRunWindowsFromBeforeItExisted()
    {
        var created = Utc(2026, 6, 1, 10);
        var policy = Policy(created);

        Assert.Empty(new BackupPlanner(Cron).Due([policy], created.AddHours(1)));
        var next = Assert.Single(new BackupPlanner(Cron).Due([policy], Utc(2026, 6, 2, 0, 31)));
        Assert.Equal(Utc(2026, 6, 2, 0, 30), next.Start);
    }

    [Fact]
    public void Due_NodeDownForDays_CatchesUpOnlyTheLatestWindow()
    {
        var policy = Policy(Utc(2026, 6, 1, 0), new BackupRule("hourly", "0 * * * *", "UTC", 24));

        var due = new BackupPlanner(Cron).Due([policy], Utc(2026, 6, 5, 7, 20));

        Assert.Equal(Utc(2026, 6, 5, 7), Assert.Single(due).Start);
    }

    [Fact]
    public void Problems_CronThatNeverFires_IsRefusedWithTheReason()
    {
        var problems = Draft(new BackupRule("never", "0 0 30 2 *", "UTC", 3)).Problems(Cron);

        Assert.Contains("never fires", problems[BackupPolicyDraft.RuleField(0, "Cron")], StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_UnreadableCronAndUnknownZone_NameTheirFields()
    {
        var problems = Draft(new BackupRule("a", "every day", "UTC", 3), new BackupRule("b", "0 2 * * *", "Mars/Olympus", 3)).Problems(Cron);

        Assert.Contains("not a cron expression", problems[BackupPolicyDraft.RuleField(0, "Cron")], StringComparison.Ordinal);
        Assert.Contains("not a time zone", problems[BackupPolicyDraft.RuleField(1, "TimeZone")], StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_RetentionZero_IsRefused()
    {
        var draft = Draft(new BackupRule("daily", "0 2 * * *", "UTC", 0, 0)) with { Copy = new DisasterRecoveryCopy("eu-west-1", null, 0) };

        var problems = draft.Problems(Cron);

        Assert.Contains("retention 0", problems[BackupPolicyDraft.RuleField(0, "KeepCount")], StringComparison.Ordinal);
        Assert.True(problems.ContainsKey(BackupPolicyDraft.RuleField(0, "KeepDays")));
        Assert.Contains("retention 0", problems[BackupPolicyDraft.CopyKeepCountField], StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_DrRegionEqualToSource_IsRefused()
    {
        var problems = (Draft() with { Copy = new DisasterRecoveryCopy("eu-central-1", null, 7) }).Problems(Cron);

        Assert.Contains("must differ", problems[BackupPolicyDraft.CopyRegionField], StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_KmsKeyFromAnotherRegion_IsRefused()
    {
        var key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

        var problems = (Draft() with { Copy = new DisasterRecoveryCopy("eu-west-1", key, 7) }).Problems(Cron);

        Assert.Contains("must be encrypted with a key in eu-west-1", problems[BackupPolicyDraft.CopyKmsKeyField], StringComparison.Ordinal);
    }

    [Fact]
    public void Create_GoodDraft_IsVersionOneWithItsAuthor()
    {
        var policy = Policy(Utc(2026, 6, 1, 0));

        Assert.Empty(Draft().Problems(Cron));
        Assert.Equal(1, policy.Version);
        Assert.Equal("olga", policy.UpdatedByName);
        var revised = policy.Revise(Draft() with { RpoHours = 12 }, Cron, Operator, Utc(2026, 6, 2, 0));
        Assert.Equal(2, revised.Version);
        Assert.Equal(policy.Id, revised.Id);
        Assert.Equal(policy.CreatedAt, revised.CreatedAt);
    }

    [Fact]
    public void Create_BadDraft_ThrowsWithEveryProblemAndAViewerMayNotEdit()
    {
        var error = Assert.Throws<BackupPolicyException>(() => BackupPolicy.Create(Draft() with { Name = "", Rules = [] }, Cron, Operator, Utc(2026, 6, 1, 0)));
        Assert.True(error.Problems.ContainsKey(BackupPolicyDraft.NameField));
        Assert.True(error.Problems.ContainsKey(BackupPolicyDraft.RulesField));

        var viewer = Operator with { Role = Role.Viewer };
        Assert.Throws<DomainException>(() => BackupPolicy.Create(Draft(), Cron, viewer, Utc(2026, 6, 1, 0)));
    }

    [Fact]
    public void LoosenedBy_ShorterRetentionOrRemovedCopy_SaysWhy_TighterSaysNothing()
    {
        var policy = Policy(Utc(2026, 6, 1, 0));

        Assert.Contains("keeps less", policy.LoosenedBy(Draft(new BackupRule("daily", "30 2 * * *", "Europe/Berlin", 7, 30))), StringComparison.Ordinal);
        Assert.Contains("removes the cross-region copy", policy.LoosenedBy(Draft() with { Copy = null }), StringComparison.Ordinal);
        Assert.Null(policy.LoosenedBy(Draft(new BackupRule("daily", "30 2 * * *", "Europe/Berlin", 30, 60))));
    }

    private static DateTimeOffset Utc(int y, int m, int d, int h, int min = 0) => new(y, m, d, h, min, 0, TimeSpan.Zero);
}
