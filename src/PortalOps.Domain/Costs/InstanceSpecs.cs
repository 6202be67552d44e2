using PortalOps.Domain.Provisioning;

namespace PortalOps.Domain.Costs;

/// <summary>The CPU architecture an instance type runs; an AMI runs on one, so a resize never crosses it.</summary>
public enum CpuArchitecture
{
    X86_64,
    Arm64,
}

/// <summary>
/// What an instance type offers: family, generation, size, vCPUs, memory, baseline network, architecture and hourly price
/// (from <see cref="PriceTable"/>). A type not in the catalog is never a resize target, and an instance of such a type gets no
/// rightsizing recommendation.
/// </summary>
public sealed record InstanceSpec(string Type, string Category, int Generation, string Family, string Size, int Vcpus, double MemoryGiB, double BaselineMbps, CpuArchitecture Architecture, bool PreviousGeneration)
{
    /// <summary>Price per month in the region (us-east-1's where the region has none), or null when not priced.</summary>
    public decimal? Monthly(string region) => PriceTable.Monthly(region, Type);
}

/// <summary>The instance types PortalOps knows enough about to recommend, and how to read a type's name.</summary>
public static class InstanceSpecs
{
    private static readonly (string Size, int Vcpus, double MemoryFactor)[] Sizes =
    [
        ("nano", 2, 0.125), ("micro", 2, 0.25), ("small", 2, 0.5), ("medium", 1, 1), ("large", 2, 2), ("xlarge", 4, 4), ("2xlarge", 8, 8), ("4xlarge", 16, 16),
    ];

    // Category → GiB of memory per "unit" (a large has 2 units); burstable types are listed one by one below.
    private static readonly Dictionary<string, double> MemoryPerUnit = new(StringComparer.Ordinal) { ["m"] = 4, ["c"] = 2, ["r"] = 8 };

    public static IReadOnlyCollection<InstanceSpec> All => ByType.Values;

    public static InstanceSpec? Find(string instanceType) => ByType.GetValueOrDefault(instanceType);

    /// <summary>
    /// The architecture a type's name implies: Graviton families carry a "g" after the generation digit (m6g, c7g, t4g, r6gd),
    /// and a1 is Arm too. Everything else is x86_64.
    /// </summary>
    public static CpuArchitecture ArchitectureOf(string instanceType)
    {
        var family = instanceType.Split('.')[0];
        if (family == "a1")
        {
            return CpuArchitecture.Arm64;
        }

        var digit = family.IndexOfAny("0123456789".ToCharArray());
        return digit >= 0 && digit + 1 < family.Length && family[digit + 1] == 'g' ? CpuArchitecture.Arm64 : CpuArchitecture.X86_64;
    }

    /// <summary>Families AWS lists as previous generation, with the current family of the same category and architecture that replaces each.</summary>
    public static IReadOnlyDictionary<string, string> Successors { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["t2"] = "t3", ["m4"] = "m5", ["c4"] = "c5", ["r4"] = "r5", ["m3"] = "m5", ["c3"] = "c5", ["r3"] = "r5",
    };

    // Declared after Successors, which Build reads.
    private static readonly Dictionary<string, InstanceSpec> ByType = Build();

    private static Dictionary<string, InstanceSpec> Build()
    {
        var specs = new Dictionary<string, InstanceSpec>(StringComparer.Ordinal);
        string[] families = ["m4", "m5", "m6i", "m6g", "m7g", "c4", "c5", "c6i", "c6g", "c7g", "r4", "r5", "r6i", "r6g"];
        foreach (var family in families)
        {
            var category = family[..1];
            var generation = family[1] - '0';
            foreach (var (size, vcpus, factor) in Sizes.Where(s => s.Size is "medium" or "large" or "xlarge" or "2xlarge" or "4xlarge"))
            {
                var type = $"{family}.{size}";
                if (PriceTable.Hourly("us-east-1", type) is null)
                {
                    continue;
                }

                var memory = MemoryPerUnit[category] * factor;
                specs[type] = new InstanceSpec(type, category, generation, family, size, size == "medium" ? 1 : vcpus, memory, Network(size), ArchitectureOf(type), Successors.ContainsKey(family));
            }
        }

        // Burstable families: 2 vCPUs up to large, memory doubling from nano.
        foreach (var family in new[] { "t2", "t3", "t3a", "t4g" })
        {
            foreach (var (size, vcpus, factor) in Sizes.Where(s => s.Size is not "4xlarge"))
            {
                var type = $"{family}.{size}";
                if (PriceTable.Hourly("us-east-1", type) is null)
                {
                    continue;
                }

                var cpus = family == "t2" && size is "nano" or "micro" or "small" ? 1 : vcpus;
                specs[type] = new InstanceSpec(type, "t", family[1] - '0', family, size, cpus, 4 * factor, Network(size), ArchitectureOf(type), Successors.ContainsKey(family));
            }
        }

        return specs;
    }

    // Baseline bandwidth in Mbit/s (what the type sustains, not its burst).
    private static double Network(string size) => size switch
    {
        "nano" => 32,
        "micro" => 64,
        "small" => 128,
        "medium" => 256,
        "large" => 512,
        "xlarge" => 1250,
        "2xlarge" => 2500,
        _ => 5000,
    };
}
