using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Backups;

/// <summary>
/// Which instances of one account and region are backed up, on which schedules, as what, how long it is kept and where it is copied.
/// Every edit makes a new version with its author; old versions stay for the record.
/// </summary>
public sealed class BackupPolicy
{
    private BackupPolicy(BackupPolicyDraft content)
    {
        Content = content;
        UpdatedByName = string.Empty;
    }

    public Guid Id { get; private init; }

    /// <summary>1 for a new policy, one more for each edit.</summary>
    public int Version { get; private init; }

    /// <summary>When version 1 was saved: windows before it are never run.</summary>
    public DateTimeOffset CreatedAt { get; private init; }

    public Guid UpdatedBy { get; private init; }

    public string UpdatedByName { get; private init; }

    public DateTimeOffset UpdatedAt { get; private init; }

    /// <summary>The policy's settings, cleaned (trimmed, no duplicates).</summary>
    public BackupPolicyDraft Content { get; private init; }

    public string Name => Content.Name!;

    public string AccountId => Content.AccountId!;

    public string Region => Content.Region!;

    public CloudScope Scope => new(AccountId, Region);

    public IReadOnlyList<BackupRule> Rules => Content.Rules;

    public BackupKind Kind => Content.Kind;

    public DisasterRecoveryCopy? Copy => Content.Copy;

    /// <summary>Where the copies go (the copy's account, or the policy's).</summary>
    public CloudScope? CopyScope => Copy is { } c ? new CloudScope(string.IsNullOrWhiteSpace(c.AccountId) ? AccountId : c.AccountId, c.Region) : null;

    public bool Enabled => Content.Enabled;

    public TimeSpan Rpo => TimeSpan.FromHours(Content.RpoHours);

    /// <summary>What readers and editors need to be allowed to see: the account, the region and the selector's tags.</summary>
    public Footprint Footprint => Footprint.Of(AccountId, Region, Content.SelectorTags);

    public BackupRule? Rule(string name) => Rules.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether the policy backs <paramref name="instance"/> up: same account and region, and named by id or carrying every selector tag.</summary>
    public bool Selects(Instance instance) =>
        instance.State != InstanceState.Terminated
        && instance.AccountId == AccountId && instance.Region == Region
        && (Content.InstanceIds.Contains(instance.InstanceId, StringComparer.Ordinal)
            || (Content.SelectorTags.Count > 0 && Content.SelectorTags.All(t => instance.Tags.TryGetValue(t.Key, out var v) && string.Equals(v, t.Value, StringComparison.OrdinalIgnoreCase))));

    public static BackupPolicy Create(BackupPolicyDraft draft, ICronSchedule cron, Actor actor, DateTimeOffset now) =>
        Build(Guid.CreateVersion7(now), 1, now, draft, cron, actor, now);

    /// <summary>Version 1 under an id chosen beforehand (an approved request carries it, so approving twice saves once).</summary>
    public static BackupPolicy Create(Guid id, BackupPolicyDraft draft, ICronSchedule cron, Actor actor, DateTimeOffset now) =>
        Build(id, 1, now, draft, cron, actor, now);

    /// <summary>The next version of this policy with the draft's content; the account and region stay.</summary>
    public BackupPolicy Revise(BackupPolicyDraft draft, ICronSchedule cron, Actor actor, DateTimeOffset now)
    {
        if (!string.Equals(draft.AccountId?.Trim(), AccountId, StringComparison.Ordinal) || !string.Equals(draft.Region?.Trim(), Region, StringComparison.Ordinal))
        {
            throw new BackupPolicyException(new Dictionary<string, string> { [BackupPolicyDraft.RegionField] = "A policy keeps its account and region; make a new policy for another one." });
        }

        return Build(Id, Version + 1, CreatedAt, draft, cron, actor, now);
    }

    public static BackupPolicy FromStore(Guid id, int version, DateTimeOffset createdAt, BackupPolicyDraft content, Guid updatedBy, string updatedByName, DateTimeOffset updatedAt) =>
        new(content) { Id = id, Version = version, CreatedAt = createdAt, UpdatedBy = updatedBy, UpdatedByName = updatedByName, UpdatedAt = updatedAt };

    /// <summary>
    /// Why <paramref name="next"/> protects less than this version (fewer or shorter-kept points, a rule or the copy removed, a longer RPO,
    /// fewer instances selected, disabled); null when it protects at least as much.
    /// </summary>
    public string? LoosenedBy(BackupPolicyDraft next)
    {
        var reasons = new List<string>();
        if (Enabled && !next.Enabled)
        {
            reasons.Add("disables the policy");
        }

        foreach (var rule in Rules)
        {
            var after = next.Rules.FirstOrDefault(r => string.Equals(r.Name?.Trim(), rule.Name, StringComparison.OrdinalIgnoreCase));
            if (after is null)
            {
                reasons.Add($"removes rule {rule.Name}");
            }
            else if (after.KeepCount < rule.KeepCount || (after.KeepDays ?? int.MaxValue) < (rule.KeepDays ?? int.MaxValue))
            {
                reasons.Add($"keeps less under rule {rule.Name}");
            }
            else if (!string.Equals(after.Cron?.Trim(), rule.Cron, StringComparison.Ordinal))
            {
                reasons.Add($"changes the schedule of rule {rule.Name}");
            }
        }

        if (Copy is { } copy)
        {
            if (next.Copy is not { } nextCopy)
            {
                reasons.Add("removes the cross-region copy");
            }
            else if (nextCopy.KeepCount < copy.KeepCount || (nextCopy.KeepDays ?? int.MaxValue) < (copy.KeepDays ?? int.MaxValue))
            {
                reasons.Add("keeps fewer copies");
            }
        }

        if (next.RpoHours > Content.RpoHours)
        {
            reasons.Add($"raises the RPO from {Content.RpoHours} h to {next.RpoHours} h");
        }

        if (Content.InstanceIds.Except(next.InstanceIds.Select(i => i.Trim()), StringComparer.Ordinal).Any()
            || next.SelectorTags.Any(t => !Content.SelectorTags.TryGetValue(t.Key, out var v) || !string.Equals(v, t.Value, StringComparison.OrdinalIgnoreCase))
            || (Content.SelectorTags.Count > 0 && next.SelectorTags.Count == 0))
        {
            reasons.Add("selects other instances");
        }

        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    /// <summary>One line for the audit log.</summary>
    public string Describe() =>
        $"{Name} v{Version} in {AccountId}/{Region}: {Kind}{(Kind == BackupKind.Image && Content.Reboot ? " with reboot" : string.Empty)}; "
        + string.Join(", ", Rules.Select(r => $"{r.Name} '{r.Cron}' {r.TimeZone} keep {r.KeepCount}{(r.KeepDays is { } d ? $"/{d} d" : string.Empty)}"))
        + (Copy is { } c ? $"; copy to {c.Region}{(c.KmsKeyId is null ? string.Empty : " (KMS)")} keep {c.KeepCount}" : string.Empty)
        + $"; RPO {Content.RpoHours} h{(Enabled ? string.Empty : "; disabled")}";

    private static BackupPolicy Build(Guid id, int version, DateTimeOffset createdAt, BackupPolicyDraft draft, ICronSchedule cron, Actor actor, DateTimeOffset now)
    {
        if (actor.Role < Role.Operator)
        {
            throw new DomainException($"{actor.Name} is {actor.Role}; backup policies are edited by Operators and above.");
        }

        var problems = draft.Problems(cron);
        if (problems.Count > 0)
        {
            throw new BackupPolicyException(problems);
        }

        return new BackupPolicy(Clean(draft))
        {
            Id = id, Version = version, CreatedAt = createdAt, UpdatedBy = actor.UserId, UpdatedByName = actor.Name, UpdatedAt = now,
        };
    }

    private static BackupPolicyDraft Clean(BackupPolicyDraft d) => d with
    {
        Name = d.Name!.Trim(),
        AccountId = d.AccountId!.Trim(),
        Region = d.Region!.Trim(),
        SelectorTags = d.SelectorTags.ToDictionary(t => t.Key.Trim(), t => (t.Value ?? string.Empty).Trim(), StringComparer.Ordinal),
        InstanceIds = d.InstanceIds.Select(i => i.Trim()).Distinct(StringComparer.Ordinal).ToList(),
        Rules = d.Rules.Select(r => r with { Name = r.Name.Trim(), Cron = r.Cron.Trim(), TimeZone = r.TimeZone.Trim() }).ToList(),
        DeviceNames = (d.DeviceNames ?? []).Select(x => x.Trim()).Distinct(StringComparer.Ordinal).ToList(),
        Copy = d.Copy is { } c
            ? c with { Region = c.Region.Trim(), KmsKeyId = string.IsNullOrWhiteSpace(c.KmsKeyId) ? null : c.KmsKeyId.Trim(), AccountId = string.IsNullOrWhiteSpace(c.AccountId) ? null : c.AccountId.Trim() }
            : null,
    };
}
