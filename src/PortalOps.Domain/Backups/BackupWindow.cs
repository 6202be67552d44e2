namespace PortalOps.Domain.Backups;

/// <summary>
/// One firing of one rule of one policy. <see cref="Key"/> (policy, rule, UTC start) names its run, so the run is made
/// once however many times and on however many nodes the planner looks.
/// </summary>
public sealed record BackupWindow(Guid PolicyId, string RuleName, DateTimeOffset Start)
{
    public string Key => $"{PolicyId:N}/{RuleName}/{BackupTags.WindowText(Start)}";
}
