using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Patching;

public enum AgentPing
{
    Online,
    ConnectionLost,
    Inactive,

    /// <summary>Systems Manager does not know the instance at all: no agent has ever registered it.</summary>
    NotManaged,

    /// <summary>The instance is not running, so its agent cannot answer.</summary>
    NotRunning,
}

/// <summary>
/// Whether Systems Manager can reach an instance's agent, and when it cannot, why and what to do about it.
/// Built from the inventory's instance and what <c>DescribeInstanceInformation</c> said (null: not listed there).
/// </summary>
public sealed record AgentStatus(InstanceRef Instance, AgentPing Ping, string? PlatformName, string? AgentVersion, DateTimeOffset? LastPing, string? Reason, string? Fix)
{
    public const string InstanceProfileFix =
        "Attach an instance profile whose role has the AmazonSSMManagedInstanceCore policy, and allow outbound HTTPS (443) to the ssm, ssmmessages and ec2messages endpoints (or VPC interface endpoints for them).";

    public bool IsOnline => Ping == AgentPing.Online;

    public static AgentStatus Of(Instance instance, ManagedInstance? managed, DateTimeOffset now)
    {
        if (instance.State != InstanceState.Running)
        {
            return new(instance.Ref, AgentPing.NotRunning, managed?.PlatformName, managed?.AgentVersion, managed?.LastPing,
                $"The instance is {instance.State.ToString().ToLowerInvariant()}.", "Start the instance to scan or patch it.");
        }

        if (managed is null)
        {
            return new(instance.Ref, AgentPing.NotManaged, null, null, null,
                "Systems Manager does not know this instance: the agent is not installed, has no instance profile allowing it to register, or cannot reach the service.",
                InstanceProfileFix + " The agent is preinstalled on Amazon Linux, Ubuntu and Windows AMIs from AWS; install it on others.");
        }

        return managed.PingStatus switch
        {
            "Online" => new(instance.Ref, AgentPing.Online, managed.PlatformName, managed.AgentVersion, managed.LastPing, null, null),
            "Inactive" => new(instance.Ref, AgentPing.Inactive, managed.PlatformName, managed.AgentVersion, managed.LastPing,
                "The instance's agent is registered but inactive (its registration was removed or the instance was replaced).",
                "Restart the amazon-ssm-agent service on the instance, or register it again."),
            _ => new(instance.Ref, AgentPing.ConnectionLost, managed.PlatformName, managed.AgentVersion, managed.LastPing,
                managed.LastPing is { } at ? $"The agent last called in {Ago(now - at)} ago." : "The agent has lost its connection.",
                "Check that the agent runs (systemctl status amazon-ssm-agent), that the instance profile is still attached, and that outbound HTTPS to the Systems Manager endpoints is allowed."),
        };
    }

    private static string Ago(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{span.TotalDays:0} d" : span.TotalHours >= 1 ? $"{span.TotalHours:0} h" : $"{Math.Max(1, span.TotalMinutes):0} min";
}
