using PortalOps.Domain.Instances;

namespace PortalOps.Jobs.Sandbox;

/// <summary>Builds the sandbox's starting fleet: deterministic for a seed, varied like a real one.</summary>
internal static class SandboxFleet
{
    public const string AccountId = "000000000000";

    public static readonly string[] Regions = ["eu-west-1", "us-east-1"];

    private static readonly (string Type, int Weight)[] Types =
        [("t3.micro", 4), ("t3.medium", 5), ("m5.large", 4), ("c5.xlarge", 2), ("r5.large", 2), ("m6g.xlarge", 1)];

    private static readonly string[] Apps = ["web", "api", "worker", "db", "cache", "batch", "bastion"];
    private static readonly string[] Teams = ["payments", "platform", "search", "data"];
    private static readonly string[] Environments = ["prod", "prod", "staging", "dev"];

    public static List<Instance> Generate(int seed, int count, DateTimeOffset now)
    {
        var random = new Random(seed);
        // A second stream for the network and launch details, so the fleet's ids, states and types stay what they were for a seed.
        var details = new Random(unchecked(seed * 31 + 7));
        var fleet = new List<Instance>(count);
        for (var n = 0; n < count; n++)
        {
            var region = Regions[n % Regions.Length];
            var az = region + "abc"[random.Next(3)];
            var app = Apps[random.Next(Apps.Length)];
            var env = Environments[random.Next(Environments.Length)];
            var team = Teams[random.Next(Teams.Length)];
            var id = $"i-{random.NextInt64(0x1000_0000_0000_0000, long.MaxValue):x17}"[..19];
            var windows = app == "bastion" && random.Next(2) == 0;
            var state = PickState(random, env);
            var tags = new Dictionary<string, string>
            {
                ["Name"] = $"{env}-{app}-{n + 1:00}",
                ["env"] = env,
                ["team"] = team,
                ["app"] = app,
            };
            if (random.Next(4) == 0)
            {
                tags["backup"] = "daily";
            }

            if (app is "worker" or "batch")
            {
                // Queue consumers keep no state: candidates for Spot.
                tags["portalops:stateless"] = "true";
            }

            var volumes = new List<Volume> { new($"vol-{random.NextInt64():x17}"[..21], windows ? 50 : random.Next(1, 5) * 8, app == "web" ? "gp2" : "gp3", random.Next(5) != 0, windows ? "/dev/sda1" : "/dev/xvda") };
            if (app is "db" or "cache" or "batch")
            {
                volumes.Add(new Volume($"vol-{random.NextInt64():x17}"[..21], random.Next(1, 9) * 50, app == "db" ? "io2" : "gp3", random.Next(3) != 0, "/dev/sdf"));
            }

            var running = state is InstanceState.Running or InstanceState.Pending or InstanceState.Stopping;
            var scope = new CloudScope(AccountId, region);
            var publicFacing = app is "web" or "bastion";
            var subnet = SandboxCatalog.SubnetFor(scope, az, publicFacing);
            var groups = SandboxCatalog.SecurityGroups(scope);
            var groupIds = new List<string> { groups.First(g => g.Name == "internal").GroupId };
            if (app == "web")
            {
                groupIds.Add(groups.First(g => g.Name == "web").GroupId);
            }
            else if (app == "bastion")
            {
                var access = windows ? "rdp-from-anywhere" : details.Next(2) == 0 ? "ssh-from-anywhere" : "ssh-from-office";
                groupIds.Add(groups.First(g => g.Name == access).GroupId);
            }

            var images = SandboxCatalog.Images(scope);
            var image = windows ? images.First(i => i.Platform == "Windows") : images[details.Next(images.Count) % 5 == 4 ? 6 : details.Next(2) == 0 ? 0 : 3];
            fleet.Add(new Instance(
                new InstanceRef(AccountId, region, id),
                tags["Name"],
                // Linux bastions still run a previous-generation type, as old bastions do.
                PickType(random) is var picked && app == "bastion" && !windows ? "t2.micro" : picked,
                state,
                az,
                windows ? "Windows" : "Linux/UNIX",
                now.AddDays(-random.Next(1, 400)).AddMinutes(-random.Next(0, 1440)),
                tags,
                volumes,
                $"10.{(region == Regions[0] ? 10 : 20)}.{random.Next(0, 64)}.{random.Next(4, 250)}",
                running && app is "web" or "bastion" ? $"203.0.113.{random.Next(1, 254)}" : null)
            {
                ImageId = image.ImageId,
                VpcId = subnet.VpcId,
                SubnetId = subnet.SubnetId,
                SecurityGroupIds = groupIds,
                KeyName = windows || details.Next(3) == 0 ? null : "ops-2024",
                ImdsV2Required = env != "prod" || details.Next(3) != 0,
                HibernationConfigured = app is "worker" or "batch" && details.Next(2) == 0,
            });
        }

        return fleet;
    }

    private static InstanceState PickState(Random random, string env) =>
        random.Next(100) switch
        {
            < 68 => InstanceState.Running,
            < 90 => InstanceState.Stopped,
            < 95 when env != "prod" => InstanceState.Terminated,
            _ => InstanceState.Running,
        };

    private static string PickType(Random random)
    {
        var total = Types.Sum(t => t.Weight);
        var pick = random.Next(total);
        foreach (var (type, weight) in Types)
        {
            if (pick < weight)
            {
                return type;
            }

            pick -= weight;
        }

        return Types[0].Type;
    }
}
