using System.Globalization;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;

namespace PortalOps.Domain.Costs;

/// <summary>
/// Waste that needs no metrics: volumes attached to nothing, Elastic IPs associated with nothing, and gp2 volumes that gp3
/// serves for 20 % less. Pure.
/// </summary>
public static class WasteRules
{
    /// <summary>An idle Elastic IP's price: 0.005 USD an hour.</summary>
    public const decimal IdleAddressPerHour = 0.005m;

    public static IEnumerable<Recommendation> Volumes(IEnumerable<VolumeInfo> volumes)
    {
        foreach (var v in volumes)
        {
            var resource = new InstanceRef(v.Scope.AccountId, v.Scope.Region, v.VolumeId);
            var name = v.Tags.GetValueOrDefault("Name") ?? string.Empty;
            var monthly = PriceTable.VolumeMonthly(v.VolumeType, v.SizeGiB);
            if (v.AttachedTo is null && v.State == "available")
            {
                yield return new Recommendation(RecommendationKind.DeleteVolume, resource, name, v.Tags, v.VolumeType, null, monthly,
                    // A named volume may be kept on purpose; an unnamed one rarely is.
                    string.IsNullOrEmpty(name) ? Confidence.High : Confidence.Medium,
                    [
                        F($"{v.SizeGiB} GiB {v.VolumeType}, attached to nothing (state available) in {v.AvailabilityZone}"),
                        F($"Billed {monthly:0.00} USD/month for storage nobody reads"),
                        "Snapshot it first if it may be needed again (a snapshot costs about a quarter as much)",
                    ]);
            }
            else if (v.VolumeType == "gp2" && v.State is "in-use" or "available")
            {
                var gp3 = PriceTable.VolumeMonthly("gp3", v.SizeGiB);
                if (monthly - gp3 > 0)
                {
                    yield return new Recommendation(RecommendationKind.ConvertToGp3, resource, name, v.Tags, "gp2", "gp3", monthly - gp3, Confidence.High,
                    [
                        F($"{v.SizeGiB} GiB gp2{(v.AttachedTo is null ? string.Empty : $" attached to {v.AttachedTo}")}"),
                        F($"gp3 gives 3,000 IOPS and 125 MiB/s at any size (gp2 gives {Math.Max(100, v.SizeGiB * 3)} IOPS at this size)"),
                        F($"{monthly:0.00} → {gp3:0.00} USD/month; the change is online, no detach"),
                    ]);
                }
            }
        }
    }

    public static IEnumerable<Recommendation> Addresses(IEnumerable<AddressInfo> addresses)
    {
        var monthly = decimal.Round(IdleAddressPerHour * (decimal)PriceTable.HoursPerMonth, 2);
        foreach (var a in addresses.Where(a => !a.IsAssociated))
        {
            yield return new Recommendation(RecommendationKind.ReleaseAddress, new InstanceRef(a.Scope.AccountId, a.Scope.Region, a.AllocationId),
                a.Tags.GetValueOrDefault("Name") is { Length: > 0 } n ? $"{n} ({a.PublicIp})" : a.PublicIp, a.Tags, null, null, monthly, Confidence.High,
                [
                    F($"{a.PublicIp} is associated with no instance or network interface"),
                    F($"An idle Elastic IP is billed {IdleAddressPerHour} USD/hour ({monthly:0.00} USD/month)"),
                ]);
        }
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
