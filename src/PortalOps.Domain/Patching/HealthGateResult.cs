namespace PortalOps.Domain.Patching;

/// <summary>The health gate's answer for a wave's instances.</summary>
public sealed record HealthGateResult(bool Healthy, string? Problem)
{
    public static HealthGateResult Pass { get; } = new(true, null);

    public static HealthGateResult Fail(string problem) => new(false, problem);
}
