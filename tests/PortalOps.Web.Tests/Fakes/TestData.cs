using PortalOps.Domain.Instances;

namespace PortalOps.Web.Tests.Fakes;

public static class TestData
{
    public const string SandboxAccount = "000000000000";
    public const string OtherAccount = "111111111111";
    public const string EuWest = "eu-west-1";
    public const string UsEast = "us-east-1";

    public static Instance Instance(int n, InstanceState state = InstanceState.Running, string account = SandboxAccount, string region = EuWest, string? name = null) =>
        new(
            new InstanceRef(account, region, $"i-{n:x17}"),
            name ?? $"web-{n:00}",
            "t3.micro",
            state,
            region + "a",
            "Linux/UNIX",
            new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours(n),
            new Dictionary<string, string> { ["Name"] = name ?? $"web-{n:00}", ["env"] = n % 2 == 0 ? "prod" : "dev" },
            [new Volume($"vol-{n:x17}", 8, "gp3", true, "/dev/xvda")],
            $"10.0.0.{n}");

    public static Instance[] Fleet(int count, Func<int, InstanceState>? state = null) =>
        Enumerable.Range(1, count).Select(n => Instance(n, state?.Invoke(n) ?? InstanceState.Running)).ToArray();
}
