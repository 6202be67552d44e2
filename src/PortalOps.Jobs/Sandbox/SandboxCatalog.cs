using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;

namespace PortalOps.Jobs.Sandbox;

/// <summary>
/// The sandbox account's fixed surroundings, per region: zones, the instance types each zone offers (the third zone offers
/// fewer, as real zones do), images (incl. the latest Amazon Linux and Ubuntu), a VPC with a public and a private subnet per
/// zone, security groups (some open to the world), and key pairs. Deterministic, so tests and screenshots are stable.
/// </summary>
internal static class SandboxCatalog
{
    public const string AmazonOwner = "137112412989";
    public const string CanonicalOwner = "099720109477";
    public const string MicrosoftOwner = "801119661308";

    public static readonly IReadOnlyList<InstanceTypeInfo> Types =
    [
        new("t3.nano", 2, 512, true), new("t3.micro", 2, 1024, true), new("t3.small", 2, 2048, true), new("t3.medium", 2, 4096, true),
        new("t3.large", 2, 8192, true), new("t3.xlarge", 4, 16384, true),
        new("t4g.micro", 2, 1024, false, "arm64"), new("t4g.small", 2, 2048, false, "arm64"), new("t4g.medium", 2, 4096, false, "arm64"),
        new("m5.large", 2, 8192, true), new("m5.xlarge", 4, 16384, true), new("m5.2xlarge", 8, 32768, true),
        new("m6g.large", 2, 8192, false, "arm64"), new("m6g.xlarge", 4, 16384, false, "arm64"),
        new("c5.large", 2, 4096, true), new("c5.xlarge", 4, 8192, true), new("r5.large", 2, 16384, true), new("r5.xlarge", 4, 32768, true),
    ];

    /// <summary>Types the third zone of each region does not offer.</summary>
    private static readonly HashSet<string> NotInThirdZone = ["m6g.large", "m6g.xlarge", "r5.xlarge", "m5.2xlarge", "t4g.medium"];

    public static IReadOnlyList<AvailabilityZoneInfo> Zones(CloudScope scope) =>
        new[] { "a", "b", "c" }.Select((s, i) => new AvailabilityZoneInfo(scope, scope.Region + s, $"{Short(scope.Region)}-az{i + 1}", "available")).ToList();

    public static IReadOnlyList<InstanceTypeInfo> Offered(string zone) =>
        zone.EndsWith('c') ? Types.Where(t => !NotInThirdZone.Contains(t.InstanceType)).ToList() : Types;

    public static IReadOnlyList<ImageDetails> Images(CloudScope scope)
    {
        var n = RegionNumber(scope.Region);
        ImageDetails Image(int index, string name, string owner, string? alias, string arch, string platform, string root, int size, string date, string description) =>
            new(scope, $"ami-0{n:x2}{index:x2}{Hash(scope.Region + name):x12}"[..21], name, owner, alias, arch, platform, root, size,
                DateTimeOffset.Parse(date, System.Globalization.CultureInfo.InvariantCulture), description);
        return
        [
            Image(1, "al2023-ami-2023.6.20241121.0-kernel-6.1-x86_64", AmazonOwner, "amazon", "x86_64", "Linux/UNIX", "/dev/xvda", 8, "2024-11-21T00:00:00Z", "Amazon Linux 2023 AMI (latest)"),
            Image(2, "al2023-ami-2023.6.20241121.0-kernel-6.1-arm64", AmazonOwner, "amazon", "arm64", "Linux/UNIX", "/dev/xvda", 8, "2024-11-21T00:00:00Z", "Amazon Linux 2023 AMI arm64 (latest)"),
            Image(3, "al2023-ami-2023.5.20240916.0-kernel-6.1-x86_64", AmazonOwner, "amazon", "x86_64", "Linux/UNIX", "/dev/xvda", 8, "2024-09-16T00:00:00Z", "Amazon Linux 2023 AMI"),
            Image(4, "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241119", CanonicalOwner, null, "x86_64", "Linux/UNIX", "/dev/sda1", 8, "2024-11-19T00:00:00Z", "Canonical, Ubuntu, 24.04 LTS, amd64 (latest)"),
            Image(5, "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20241119", CanonicalOwner, null, "arm64", "Linux/UNIX", "/dev/sda1", 8, "2024-11-19T00:00:00Z", "Canonical, Ubuntu, 24.04 LTS, arm64 (latest)"),
            Image(6, "Windows_Server-2022-English-Full-Base-2024.11.13", MicrosoftOwner, "amazon", "x86_64", "Windows", "/dev/sda1", 30, "2024-11-13T00:00:00Z", "Microsoft Windows Server 2022 Full Locale English AMI"),
            Image(7, "golden-web-2024-11", SandboxFleet.AccountId, null, "x86_64", "Linux/UNIX", "/dev/xvda", 20, "2024-11-02T00:00:00Z", "Our web server image (20 GiB root)"),
        ];
    }

    /// <summary>The images AWS names in its public parameters as the latest Amazon Linux and Ubuntu (x86_64 and arm64).</summary>
    public static IReadOnlyList<ImageDetails> Latest(CloudScope scope) =>
        Images(scope).Where(i => i.Description?.EndsWith("(latest)", StringComparison.Ordinal) == true).ToList();

    public static string VpcId(string region) => $"vpc-0{RegionNumber(region):x2}{Hash(region + "vpc"):x14}"[..21];

    public static IReadOnlyList<SubnetInfo> Subnets(CloudScope scope)
    {
        var n = RegionNumber(scope.Region) == 1 ? 10 : 20;
        return Zones(scope).SelectMany((z, i) => new[]
        {
            new SubnetInfo(scope, Id("subnet", scope.Region + z.ZoneName + "public"), VpcId(scope.Region), $"10.{n}.{i * 16}.0/20", z.ZoneName, 4091 - i * 7, true),
            new SubnetInfo(scope, Id("subnet", scope.Region + z.ZoneName + "private"), VpcId(scope.Region), $"10.{n}.{128 + i * 16}.0/20", z.ZoneName, 4091 - i * 11, false),
        }).ToList();
    }

    public static IReadOnlyList<SecurityGroupInfo> SecurityGroups(CloudScope scope)
    {
        var vpc = VpcId(scope.Region);
        var internalId = Id("sg", scope.Region + "internal");
        return
        [
            new(scope, Id("sg", scope.Region + "default"), "default", "default VPC security group", vpc, [new SecurityRule("-1", null, null, [Id("sg", scope.Region + "default")])]),
            new(scope, Id("sg", scope.Region + "web"), "web", "HTTP and HTTPS from anywhere", vpc,
                [new SecurityRule("tcp", 80, 80, ["0.0.0.0/0", "::/0"]), new SecurityRule("tcp", 443, 443, ["0.0.0.0/0", "::/0"])]),
            new(scope, Id("sg", scope.Region + "ssh-open"), "ssh-from-anywhere", "Legacy bastion access (too open)", vpc, [new SecurityRule("tcp", 22, 22, ["0.0.0.0/0"])]),
            new(scope, Id("sg", scope.Region + "rdp-open"), "rdp-from-anywhere", "Windows admin access (too open)", vpc, [new SecurityRule("tcp", 3389, 3389, ["0.0.0.0/0", "::/0"])]),
            new(scope, Id("sg", scope.Region + "ssh-office"), "ssh-from-office", "SSH from the office range", vpc, [new SecurityRule("tcp", 22, 22, ["198.51.100.0/24"])]),
            new(scope, internalId, "internal", "Everything from inside the VPC", vpc, [new SecurityRule("-1", null, null, ["10.0.0.0/8", internalId])]),
        ];
    }

    public static IReadOnlyList<KeyPairInfo> KeyPairs(CloudScope scope) =>
    [
        new(scope, "ops-2024", Id("key", scope.Region + "ops"), "1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f"),
        new(scope, "deploy", Id("key", scope.Region + "deploy"), "3c:b0:51:63:8e:2a:7d:12:40:6c:9a:44:f0:23:61:0e:a2:bb:5d:91"),
    ];

    /// <summary>Where a generated instance sits: one of the subnets of its zone.</summary>
    public static SubnetInfo SubnetFor(CloudScope scope, string zone, bool publicSubnet) =>
        Subnets(scope).First(s => s.AvailabilityZone == zone && s.PublicIpOnLaunch == publicSubnet);

    public static string Id(string prefix, string seed) => $"{prefix}-0{Hash(seed):x16}"[..(prefix.Length + 18)];

    private static int RegionNumber(string region) => Array.IndexOf(SandboxFleet.Regions, region) + 1;

    private static string Short(string region) => string.Concat(region.Split('-').Select(p => p[..Math.Min(p.Length, 3)]));

    // FNV-1a: stable across runs and machines (string.GetHashCode is not).
    private static ulong Hash(string text)
    {
        var h = 14695981039346656037UL;
        foreach (var c in text)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return h;
    }
}
