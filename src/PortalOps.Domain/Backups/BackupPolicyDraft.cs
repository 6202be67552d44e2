using System.Text.RegularExpressions;

namespace PortalOps.Domain.Backups;

/// <summary>
/// What a person typed into the policy editor. <see cref="Problems"/> names each wrong field (rules as <c>Rules[0].Cron</c>), so the
/// editor shows the reason beside it and nothing is saved: a cron that never fires, retention 0, a DR region equal to the source,
/// a KMS key ARN from another region than the copy.
/// </summary>
public sealed partial record BackupPolicyDraft(
    string? Name,
    string? AccountId,
    string? Region,
    IReadOnlyDictionary<string, string> SelectorTags,
    IReadOnlyList<string> InstanceIds,
    IReadOnlyList<BackupRule> Rules,
    BackupKind Kind = BackupKind.Snapshots,
    bool Reboot = false,
    IReadOnlyList<string>? DeviceNames = null,
    bool CopyTags = true,
    DisasterRecoveryCopy? Copy = null,
    int RpoHours = 24,
    bool Enabled = true)
{
    public const int MaxRules = 10;
    public const int MaxKeepCount = 1000;
    public const int MaxKeepDays = 3650;
    public const int MaxRpoHours = 8760;

    public const string NameField = nameof(Name);
    public const string AccountIdField = nameof(AccountId);
    public const string RegionField = nameof(Region);
    public const string SelectionField = "Selection";
    public const string InstanceIdsField = nameof(InstanceIds);
    public const string RulesField = nameof(Rules);
    public const string DeviceNamesField = nameof(DeviceNames);
    public const string CopyRegionField = "Copy.Region";
    public const string CopyKmsKeyField = "Copy.KmsKeyId";
    public const string CopyAccountField = "Copy.AccountId";
    public const string CopyKeepCountField = "Copy.KeepCount";
    public const string CopyKeepDaysField = "Copy.KeepDays";
    public const string RpoHoursField = nameof(RpoHours);

    public static string RuleField(int index, string field) => $"Rules[{index}].{field}";

    /// <summary>Field name → message; empty when the draft may be saved.</summary>
    public IReadOnlyDictionary<string, string> Problems(ICronSchedule cron)
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(Name))
        {
            problems[NameField] = "Give the policy a name.";
        }
        else if (!NamePattern().IsMatch(Name.Trim()))
        {
            problems[NameField] = "A name is 3–128 letters, digits, '_', '-' or '.'.";
        }

        if (string.IsNullOrWhiteSpace(AccountId) || !AccountPattern().IsMatch(AccountId.Trim()))
        {
            problems[AccountIdField] = "Choose the account (12 digits) whose instances the policy backs up.";
        }

        if (string.IsNullOrWhiteSpace(Region) || !RegionPattern().IsMatch(Region.Trim()))
        {
            problems[RegionField] = "Choose the region (such as eu-west-1) whose instances the policy backs up.";
        }

        if (SelectorTags.Count == 0 && InstanceIds.Count == 0)
        {
            problems[SelectionField] = "Select instances by tag (such as Backup=daily), by id, or both.";
        }
        else if (SelectorTags.Where(t => string.IsNullOrWhiteSpace(t.Key) || t.Key.Length > 128 || (t.Value?.Length ?? 0) > 256).Select(t => t.Key).FirstOrDefault() is { } badKey)
        {
            problems[SelectionField] = $"'{badKey}' is not a tag key and value AWS allows (key 1–128, value up to 256 characters).";
        }

        if (InstanceIds.FirstOrDefault(i => !InstancePattern().IsMatch(i.Trim())) is { } badInstance)
        {
            problems[InstanceIdsField] = $"'{badInstance}' is not an instance id (i- and 8 or 17 hex digits).";
        }

        RuleProblems(cron, problems);

        if (Kind == BackupKind.Image && DeviceNames is { Count: > 0 })
        {
            problems[DeviceNamesField] = "An image always takes every volume; choose volumes only for snapshot policies.";
        }
        else if (DeviceNames?.FirstOrDefault(d => !DevicePattern().IsMatch(d.Trim())) is { } badDevice)
        {
            problems[DeviceNamesField] = $"'{badDevice}' is not a device name (such as /dev/xvda or /dev/sdf).";
        }

        if (Copy is { } copy)
        {
            CopyProblems(copy, problems);
        }

        if (RpoHours is < 1 or > MaxRpoHours)
        {
            problems[RpoHoursField] = $"The recovery point objective is 1 to {MaxRpoHours} hours.";
        }

        return problems;
    }

    private void RuleProblems(ICronSchedule cron, Dictionary<string, string> problems)
    {
        if (Rules.Count == 0)
        {
            problems[RulesField] = "Add at least one rule (a schedule and how long to keep what it makes).";
            return;
        }

        if (Rules.Count > MaxRules)
        {
            problems[RulesField] = $"A policy has at most {MaxRules} rules.";
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Rules.Count; i++)
        {
            var rule = Rules[i];
            if (string.IsNullOrWhiteSpace(rule.Name) || !RuleNamePattern().IsMatch(rule.Name.Trim()))
            {
                problems[RuleField(i, nameof(BackupRule.Name))] = "A rule name is 1–32 letters, digits, '_' or '-' (such as hourly).";
            }
            else if (!names.Add(rule.Name.Trim()))
            {
                problems[RuleField(i, nameof(BackupRule.Name))] = $"Two rules are called '{rule.Name.Trim()}'; each rule needs its own name.";
            }

            var zoneProblem = cron.TimeZoneProblem(rule.TimeZone ?? string.Empty);
            if (zoneProblem is not null)
            {
                problems[RuleField(i, nameof(BackupRule.TimeZone))] = zoneProblem;
            }
            else if (cron.CronProblem(rule.Cron ?? string.Empty, rule.TimeZone!) is { } cronProblem)
            {
                problems[RuleField(i, nameof(BackupRule.Cron))] = cronProblem;
            }

            if (rule.KeepCount < 1)
            {
                problems[RuleField(i, nameof(BackupRule.KeepCount))] = "Keep at least 1 recovery point: retention 0 would delete each backup as soon as it is made.";
            }
            else if (rule.KeepCount > MaxKeepCount)
            {
                problems[RuleField(i, nameof(BackupRule.KeepCount))] = $"Keep at most {MaxKeepCount} recovery points per volume.";
            }

            if (rule.KeepDays is { } days && (days < 1 || days > MaxKeepDays))
            {
                problems[RuleField(i, nameof(BackupRule.KeepDays))] = days < 1
                    ? "Keep recovery points at least 1 day, or leave the age empty to keep by count only."
                    : $"Keep recovery points at most {MaxKeepDays} days.";
            }
        }
    }

    private void CopyProblems(DisasterRecoveryCopy copy, Dictionary<string, string> problems)
    {
        var region = copy.Region?.Trim() ?? string.Empty;
        var account = string.IsNullOrWhiteSpace(copy.AccountId) ? AccountId?.Trim() : copy.AccountId.Trim();
        if (!RegionPattern().IsMatch(region))
        {
            problems[CopyRegionField] = "Choose the disaster-recovery region (such as eu-central-1).";
        }
        else if (string.Equals(region, Region?.Trim(), StringComparison.Ordinal) && string.Equals(account, AccountId?.Trim(), StringComparison.Ordinal))
        {
            problems[CopyRegionField] = $"The DR region must differ from the source region {region}: a copy beside the original does not survive the loss of the region.";
        }

        if (!string.IsNullOrWhiteSpace(copy.AccountId) && !AccountPattern().IsMatch(copy.AccountId.Trim()))
        {
            problems[CopyAccountField] = "The DR account is 12 digits, or empty for the same account.";
        }

        if (!string.IsNullOrWhiteSpace(copy.KmsKeyId))
        {
            var key = copy.KmsKeyId.Trim();
            var arn = KeyArnPattern().Match(key);
            if (arn.Success)
            {
                if (!string.Equals(arn.Groups["region"].Value, region, StringComparison.Ordinal))
                {
                    problems[CopyKmsKeyField] = $"Key {key} is in {arn.Groups["region"].Value}; a copy in {region} must be encrypted with a key in {region}.";
                }
            }
            else if (!KeyIdPattern().IsMatch(key) && !AliasPattern().IsMatch(key))
            {
                problems[CopyKmsKeyField] = $"'{key}' is not a KMS key id, alias (alias/name) or key ARN.";
            }
        }

        if (copy.KeepCount < 1)
        {
            problems[CopyKeepCountField] = "Keep at least 1 copy: retention 0 would delete each copy as soon as it is made.";
        }
        else if (copy.KeepCount > MaxKeepCount)
        {
            problems[CopyKeepCountField] = $"Keep at most {MaxKeepCount} copies per volume.";
        }

        if (copy.KeepDays is { } days && (days < 1 || days > MaxKeepDays))
        {
            problems[CopyKeepDaysField] = $"Keep copies 1 to {MaxKeepDays} days, or leave the age empty.";
        }
    }

    [GeneratedRegex(@"^[a-zA-Z0-9_\-.]{3,128}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[a-zA-Z0-9_\-]{1,32}$")]
    private static partial Regex RuleNamePattern();

    [GeneratedRegex(@"^\d{12}$")]
    private static partial Regex AccountPattern();

    [GeneratedRegex(@"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"^i-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex InstancePattern();

    [GeneratedRegex(@"^/dev/[a-z0-9]{2,16}$|^xvd[a-z]{1,2}$")]
    private static partial Regex DevicePattern();

    [GeneratedRegex(@"^arn:aws[a-z\-]*:kms:(?<region>[a-z0-9\-]+):\d{12}:(key/[0-9a-fA-F\-]{36}|key/mrk-[0-9a-f]{32}|alias/[a-zA-Z0-9/_\-]+)$")]
    private static partial Regex KeyArnPattern();

    [GeneratedRegex(@"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-f]{32})$")]
    private static partial Regex KeyIdPattern();

    [GeneratedRegex(@"^alias/[a-zA-Z0-9/_\-]{1,250}$")]
    private static partial Regex AliasPattern();
}
