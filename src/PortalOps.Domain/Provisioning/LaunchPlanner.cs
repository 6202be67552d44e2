using PortalOps.Domain.Accounts;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Provisioning;

/// <summary>
/// Loads what the provider offers where a launch goes (zones, types, the image, network, key pairs, the limit) and checks
/// the launch against it. The wizard uses it field by field; the launch executor checks again just before launching.
/// </summary>
public sealed class LaunchPlanner(
    ICloudProvider cloud,
    ICloudResources resources,
    IInstanceTypeCatalog types,
    IImageCatalog images,
    ITagGovernance governance,
    IInventory inventory)
{
    public IReadOnlyList<string> RequiredTags => governance.RequiredTagKeys;

    public async Task<LaunchContext> ContextAsync(LaunchSpec spec, CancellationToken cancellationToken = default)
    {
        var account = cloud.Accounts.FirstOrDefault(a => a.Id == spec.AccountId);
        var context = new LaunchContext
        {
            AccountIds = cloud.Accounts.Select(a => a.Id).ToList(),
            Regions = account?.Regions ?? [],
            RequiredTags = governance.RequiredTagKeys,
        };
        if (account is null || !account.Regions.Contains(spec.Region))
        {
            return context;
        }

        var scope = spec.Scope;
        var zones = resources.AvailabilityZonesAsync(scope, cancellationToken);
        var subnets = resources.SubnetsAsync(scope, cancellationToken);
        var groups = resources.SecurityGroupsAsync(scope, cancellationToken);
        var keys = resources.KeyPairsAsync(scope, cancellationToken);
        var limit = types.MaxInstancesAsync(scope, cancellationToken);
        var image = string.IsNullOrWhiteSpace(spec.ImageId) || !spec.ImageId.StartsWith("ami-", StringComparison.Ordinal)
            ? Task.FromResult<ImageDetails?>(null)
            : images.FindAsync(scope, spec.ImageId, cancellationToken);
        var offered = string.IsNullOrWhiteSpace(spec.AvailabilityZone)
            ? Task.FromResult<IReadOnlyList<InstanceTypeInfo>>([])
            : types.OfferedInZoneAsync(scope, spec.AvailabilityZone, cancellationToken);
        var current = CountInstancesAsync(scope, cancellationToken);
        await Task.WhenAll(zones, subnets, groups, keys, limit, image, offered, current);
        return context with
        {
            Zones = await zones,
            Subnets = await subnets,
            SecurityGroups = await groups,
            KeyPairs = await keys,
            MaxInstances = await limit,
            Image = await image,
            OfferedTypes = await offered,
            CurrentInstances = await current,
        };
    }

    public async Task<LaunchValidation> ValidateAsync(LaunchSpec spec, CancellationToken cancellationToken = default) =>
        LaunchValidator.Validate(spec, await ContextAsync(spec, cancellationToken));

    private async Task<int> CountInstancesAsync(CloudScope scope, CancellationToken cancellationToken)
    {
        var page = await inventory.QueryAsync(new InstanceQuery { AccountId = scope.AccountId, Region = scope.Region, PageSize = 1 }, cancellationToken);
        var terminated = await inventory.QueryAsync(new InstanceQuery { AccountId = scope.AccountId, Region = scope.Region, State = InstanceState.Terminated, PageSize = 1 }, cancellationToken);
        return page.TotalCount - terminated.TotalCount;
    }
}
