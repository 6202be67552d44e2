using PortalOps.Domain.Costs;
using PortalOps.Domain.Instances;

namespace PortalOps.Jobs.Sandbox;

/// <summary>The sandbox's resize and volume-type changes, with EC2's rules: an instance changes type only while stopped.</summary>
public sealed partial class SandboxCloud : IResourceModifier
{
    public Task<string?> ChangeInstanceTypeAsync(InstanceRef instance, string instanceType, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_instances.TryGetValue(instance, out var current))
            {
                throw NotFound(instance);
            }

            if (current.InstanceType != instanceType)
            {
                if (current.State != InstanceState.Stopped)
                {
                    throw new InvalidOperationException($"IncorrectInstanceState: The instance '{instance.InstanceId}' is not in the 'stopped' state.");
                }

                _instances[instance] = current with { InstanceType = instanceType };
            }
        }

        _events.Publish(instance);
        return Task.FromResult<string?>(RequestId());
    }

    public Task<string?> ChangeVolumeTypeAsync(CloudScope scope, string volumeId, string volumeType, CancellationToken cancellationToken = default)
    {
        InstanceRef? owner = null;
        lock (_gate)
        {
            if (_looseVolumes.TryGetValue(volumeId, out var loose) && loose.Scope == scope)
            {
                _looseVolumes[volumeId] = loose with { VolumeType = volumeType };
            }
            else if (AttachedVolume(scope, volumeId) is { } instance)
            {
                _instances[instance.Ref] = instance with
                {
                    Volumes = instance.Volumes.Select(v => v.VolumeId == volumeId ? v with { VolumeType = volumeType } : v).ToList(),
                };
                owner = instance.Ref;
            }
            else
            {
                throw new InvalidOperationException($"InvalidVolume.NotFound: The volume '{volumeId}' does not exist.");
            }
        }

        if (owner is not null)
        {
            _events.Publish(owner);
        }

        return Task.FromResult<string?>(RequestId());
    }
}

/// <summary>
/// The sandbox's Cost Explorer purchase recommendations, Reserved Instances and AWS Price List: a Reserved Instance offer for the
/// type most of its running fleet uses in each region, a Compute Savings Plan for the account, two m5.large reservations in
/// eu-west-1 (so coverage and utilization have something to show), and Price List prices equal to the bundled table's.
/// </summary>
public sealed partial class SandboxCloud : ICommitmentSource, IPriceList
{
    public Task<CommitmentAdvice> AdviceAsync(string accountId, CancellationToken cancellationToken = default)
    {
        List<Instance> running;
        lock (_gate)
        {
            running = _instances.Values.Where(i => i.AccountId == accountId && i.State == InstanceState.Running).ToList();
        }

        var offers = running.GroupBy(i => (i.Region, i.InstanceType))
            .Select(g => (g.Key.Region, g.Key.InstanceType, Count: g.Count(), Price: Domain.Provisioning.PriceTable.Monthly(g.Key.Region, g.Key.InstanceType)))
            .Where(x => x.Price is not null && x.Count >= 2)
            .GroupBy(x => x.Region)
            .Select(g => g.OrderByDescending(x => x.Count * x.Price!.Value).ThenBy(x => x.InstanceType, StringComparer.Ordinal).First())
            // A one-year no-upfront standard reservation saves about 37 % of on demand.
            .Select(x => new ReservationOffer(accountId, x.Region, x.InstanceType, x.Count, decimal.Round(x.Count * x.Price!.Value * 0.37m, 2), 0m, 96.5m, "ONE_YEAR", "NO_UPFRONT"))
            .ToList();
        var onDemandHourly = running.Sum(i => Domain.Provisioning.PriceTable.Hourly(i.Region, i.InstanceType)?.PerHour ?? 0m);
        var commitment = decimal.Round(onDemandHourly * 0.5m * 0.72m, 3);
        IReadOnlyList<SavingsPlanOffer> plans = commitment > 0
            ? [new SavingsPlanOffer(accountId, "COMPUTE_SP", commitment, decimal.Round(onDemandHourly * 0.5m * 0.28m * 730m, 2), 28m, 0m, "ONE_YEAR", "NO_UPFRONT")]
            : [];
        return Task.FromResult(new CommitmentAdvice(offers, plans));
    }

    public Task<IReadOnlyList<ActiveReservation>> ReservationsAsync(CloudScope scope, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ActiveReservation>>(Known(scope) && scope.Region == "eu-west-1"
            ? [new ActiveReservation(scope, "m5.large", 2, _clock.GetUtcNow().AddDays(200))]
            : []);

    public Task<IReadOnlyList<ListedPrice>> OnDemandAsync(string region, IReadOnlyList<string> instanceTypes, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ListedPrice>>(instanceTypes
            .Select(t => (Type: t, Price: Domain.Provisioning.PriceTable.Hourly(region, t)))
            .Where(x => x.Price is { RegionalPrice: true })
            .Select(x => new ListedPrice(region, x.Type, x.Price!.Value.PerHour, Domain.Costs.PriceBook.BundledAsOf))
            .ToList());
}
