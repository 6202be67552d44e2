using System.ComponentModel.DataAnnotations;

namespace PortalOps.Jobs.Sandbox;

/// <summary>The embedded sandbox account, used when no <c>Aws</c> section is configured.</summary>
public sealed class SandboxOptions
{
    public const string Section = "Sandbox";

    /// <summary>Seconds an instance stays pending after a start or launch.</summary>
    [Range(0, 600)]
    public double PendingSeconds { get; set; } = 4;

    /// <summary>Seconds an instance stays stopping after a stop.</summary>
    [Range(0, 600)]
    public double StoppingSeconds { get; set; } = 5;

    /// <summary>Seconds an instance stays shutting-down after a terminate.</summary>
    [Range(0, 600)]
    public double ShuttingDownSeconds { get; set; } = 5;

    /// <summary>Seed of the generated fleet; the same seed gives the same instances.</summary>
    public int Seed { get; set; } = 20261125;

    /// <summary>How many instances the sandbox starts with.</summary>
    [Range(1, 20000)]
    public int InstanceCount { get; set; } = 30;

    /// <summary>The account's limit of instances (not terminated) per region, as EC2's <c>max-instances</c> account attribute.</summary>
    [Range(1, 100000)]
    public int MaxInstancesPerRegion { get; set; } = 64;
}
