using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Backups;

/// <summary>An instance whose tags say it should be backed up, but that no enabled policy selects.</summary>
public sealed record UnprotectedInstance(Instance Instance, string TagKey, string TagValue, string Reason)
{
    public Footprint Footprint => Footprint.Of(Instance.AccountId, Instance.Region, Instance.Tags);
}

/// <summary>
/// Finds the gap between what tags ask for and what policies cover: an instance carrying the backup tag (by default <c>Backup</c>, any value
/// but none/no/false/off) that no enabled policy selects — or that only a disabled one would.
/// </summary>
public static class BackupCoverage
{
    public const string DefaultTagKey = "Backup";

    private static readonly string[] Off = ["none", "no", "false", "off", "0", "never"];

    /// <summary>The unprotected instances among those <paramref name="visibleTo"/> may see (the inventory filters by scope, page by page).</summary>
    public static async Task<IReadOnlyList<UnprotectedInstance>> FindAsync(IInventory inventory, IBackupPolicyStore policies, IReadOnlyList<Scope> visibleTo, string tagKey = DefaultTagKey, CancellationToken cancellationToken = default)
    {
        var fleet = new List<Instance>();
        for (var page = 0; ; page++)
        {
            var result = await inventory.QueryAsync(new InstanceQuery { PageIndex = page, PageSize = InstanceQuery.MaxPageSize, SortBy = InstanceSort.InstanceId, VisibleTo = visibleTo }, cancellationToken).ConfigureAwait(false);
            fleet.AddRange(result.Items);
            if (result.Items.Count < InstanceQuery.MaxPageSize || fleet.Count >= result.TotalCount)
            {
                break;
            }
        }

        return Unprotected(fleet, await policies.ListAsync(cancellationToken).ConfigureAwait(false), tagKey);
    }

    public static IReadOnlyList<UnprotectedInstance> Unprotected(IEnumerable<Instance> fleet, IReadOnlyList<BackupPolicy> policies, string tagKey = DefaultTagKey)
    {
        var list = new List<UnprotectedInstance>();
        foreach (var instance in fleet)
        {
            if (instance.State == InstanceState.Terminated)
            {
                continue;
            }

            var tag = instance.Tags.FirstOrDefault(t => string.Equals(t.Key, tagKey, StringComparison.OrdinalIgnoreCase));
            if (tag.Key is null || Off.Contains(tag.Value?.Trim() ?? string.Empty, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            if (policies.Any(p => p.Enabled && p.Selects(instance)))
            {
                continue;
            }

            var disabled = policies.FirstOrDefault(p => !p.Enabled && p.Selects(instance));
            list.Add(new UnprotectedInstance(instance, tag.Key, tag.Value ?? string.Empty, disabled is not null
                ? $"Only the disabled policy {disabled.Name} selects it."
                : $"No policy in {instance.AccountId}/{instance.Region} selects it."));
        }

        return list.OrderBy(u => u.Instance.AccountId, StringComparer.Ordinal).ThenBy(u => u.Instance.Region, StringComparer.Ordinal)
            .ThenBy(u => u.Instance.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }
}
