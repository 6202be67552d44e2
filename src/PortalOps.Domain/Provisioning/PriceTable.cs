namespace PortalOps.Domain.Provisioning;

/// <summary>
/// On-demand list prices (Linux, USD per hour) and EBS prices (USD per GiB-month) for the common instance types, used for
/// the launch wizard's estimate. A region not in the table uses us-east-1's price, and says so. Not a bill: taxes,
/// discounts, data transfer and Savings Plans are left out.
/// </summary>
public static class PriceTable
{
    public const double HoursPerMonth = 730;
    private const string BaseRegion = "us-east-1";

    private static readonly Dictionary<string, decimal> UsEast1 = new(StringComparer.Ordinal)
    {
        ["t2.micro"] = 0.0116m, ["t2.small"] = 0.023m, ["t2.medium"] = 0.0464m,
        ["t3.nano"] = 0.0052m, ["t3.micro"] = 0.0104m, ["t3.small"] = 0.0208m, ["t3.medium"] = 0.0416m, ["t3.large"] = 0.0832m, ["t3.xlarge"] = 0.1664m, ["t3.2xlarge"] = 0.3328m,
        ["t3a.micro"] = 0.0094m, ["t3a.small"] = 0.0188m, ["t3a.medium"] = 0.0376m, ["t3a.large"] = 0.0752m,
        ["t4g.nano"] = 0.0042m, ["t4g.micro"] = 0.0084m, ["t4g.small"] = 0.0168m, ["t4g.medium"] = 0.0336m, ["t4g.large"] = 0.0672m,
        ["m5.large"] = 0.096m, ["m5.xlarge"] = 0.192m, ["m5.2xlarge"] = 0.384m, ["m5.4xlarge"] = 0.768m,
        ["m6i.large"] = 0.096m, ["m6i.xlarge"] = 0.192m, ["m6g.medium"] = 0.0385m, ["m6g.large"] = 0.077m, ["m6g.xlarge"] = 0.154m, ["m7g.large"] = 0.0816m,
        ["c5.large"] = 0.085m, ["c5.xlarge"] = 0.17m, ["c5.2xlarge"] = 0.34m, ["c6i.large"] = 0.085m, ["c6g.large"] = 0.068m, ["c7g.large"] = 0.0725m,
        ["r5.large"] = 0.126m, ["r5.xlarge"] = 0.252m, ["r6i.large"] = 0.126m, ["r6g.large"] = 0.1008m,
        ["m4.large"] = 0.10m, ["m4.xlarge"] = 0.20m, ["c4.large"] = 0.10m, ["c4.xlarge"] = 0.199m, ["r4.large"] = 0.133m,
    };

    // eu-west-1 (Ireland) is about 10 % dearer than us-east-1 for these families.
    private static readonly Dictionary<string, decimal> EuWest1 = new(StringComparer.Ordinal)
    {
        ["t2.micro"] = 0.0126m, ["t3.nano"] = 0.0057m, ["t3.micro"] = 0.0114m, ["t3.small"] = 0.0228m, ["t3.medium"] = 0.0456m, ["t3.large"] = 0.0912m, ["t3.xlarge"] = 0.1824m,
        ["t4g.micro"] = 0.0092m, ["t4g.small"] = 0.0184m, ["t4g.medium"] = 0.0368m,
        ["m5.large"] = 0.107m, ["m5.xlarge"] = 0.214m, ["m6i.large"] = 0.107m, ["m6g.large"] = 0.086m, ["m6g.xlarge"] = 0.172m,
        ["c5.large"] = 0.096m, ["c5.xlarge"] = 0.192m, ["c6g.large"] = 0.0768m,
        ["r5.large"] = 0.141m, ["r5.xlarge"] = 0.282m, ["r6g.large"] = 0.1128m,
    };

    private static readonly Dictionary<string, decimal> EbsPerGiBMonth = new(StringComparer.Ordinal)
    {
        ["gp3"] = 0.08m, ["gp2"] = 0.10m, ["io1"] = 0.125m, ["io2"] = 0.125m, ["st1"] = 0.045m, ["sc1"] = 0.015m, ["standard"] = 0.05m,
    };

    /// <summary>The hourly price of a type in a region, and whether it is that region's own price (false: us-east-1's stands in).</summary>
    public static (decimal PerHour, bool RegionalPrice)? Hourly(string region, string instanceType)
    {
        if (region == "eu-west-1" && EuWest1.TryGetValue(instanceType, out var eu))
        {
            return (eu, true);
        }

        return UsEast1.TryGetValue(instanceType, out var us) ? (us, region == BaseRegion) : null;
    }

    public static decimal? Monthly(string region, string instanceType) =>
        Hourly(region, instanceType) is { } h ? decimal.Round(h.PerHour * (decimal)HoursPerMonth, 2) : null;

    public static decimal VolumeMonthly(string volumeType, int sizeGiB) =>
        decimal.Round(EbsPerGiBMonth.GetValueOrDefault(volumeType, 0.10m) * sizeGiB, 2);

    /// <summary>The month's estimate for a launch: instances and root volumes; null when the type's price is not known.</summary>
    public static LaunchEstimate? Estimate(LaunchSpec spec)
    {
        if (Hourly(spec.Region, spec.InstanceType) is not { } hourly)
        {
            return null;
        }

        var count = Math.Max(1, spec.Count);
        var compute = decimal.Round(hourly.PerHour * (decimal)HoursPerMonth * count, 2);
        var storage = VolumeMonthly(spec.VolumeType, spec.VolumeSizeGiB) * count;
        return new LaunchEstimate(hourly.PerHour * count, compute, storage, compute + storage, hourly.RegionalPrice);
    }
}

/// <summary>A launch's cost estimate in USD.</summary>
public sealed record LaunchEstimate(decimal PerHour, decimal ComputePerMonth, decimal StoragePerMonth, decimal TotalPerMonth, bool RegionalPrice);
