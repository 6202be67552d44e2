namespace PortalOps.Domain.Patching;

/// <summary>
/// The health gate's answer for a wave's instances: pass, fail (the run stops), or hold (not healthy yet: an alert is open or a check
/// has not settled; the quiet time starts again and the run fails if the hold lasts to twice the quiet time after the install).
/// </summary>
public sealed record HealthGateResult(bool Healthy, string? Problem)
{
    public static HealthGateResult Pass { get; } = new(true, null);

    /// <summary>True when the wave should wait rather than fail; <see cref="Problem"/> says why.</summary>
    public bool Held { get; private init; }

    public static HealthGateResult Fail(string problem) => new(false, problem);

    public static HealthGateResult Hold(string reason) => new(false, reason) { Held = true };
}
