using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Patching;

public enum PatchTargetStatus
{
    /// <summary>Its wave has not started.</summary>
    Waiting,

    /// <summary>The install command is being sent.</summary>
    Sending,

    /// <summary>Sent; the agent is installing.</summary>
    Installing,
    Succeeded,
    Failed,

    /// <summary>Not patched by this run; <see cref="PatchRunTarget.Reason"/> says why.</summary>
    Skipped,

    /// <summary>Its wave never started: the run stopped or failed first.</summary>
    NotStarted,
}

/// <summary>One instance in a run: its wave, its install command and what the agent answered (output truncated).</summary>
public sealed record PatchRunTarget(InstanceRef Instance, string Name, int Wave, PatchTargetStatus Status)
{
    /// <summary>How much of a command's output a run keeps; the rest is read from Systems Manager (the console link).</summary>
    public const int MaxOutput = 2500;

    public string? CommandId { get; init; }

    public string? Reason { get; init; }

    public string? Output { get; init; }

    public bool OutputTruncated { get; init; }

    public int? ResponseCode { get; init; }

    public DateTimeOffset? SendingSince { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public bool IsDone => Status is PatchTargetStatus.Succeeded or PatchTargetStatus.Failed or PatchTargetStatus.Skipped or PatchTargetStatus.NotStarted;

    /// <summary>Where the full output is: the Run Command page of the console for this command and instance.</summary>
    public string? ConsoleUrl => CommandId is null
        ? null
        : $"https://{Instance.Region}.console.aws.amazon.com/systems-manager/run-command/{CommandId}/{Instance.InstanceId}?region={Instance.Region}";

    public static (string? Text, bool Truncated) Truncate(string? output) =>
        output is null || output.Length <= MaxOutput ? (output, false) : (output[..MaxOutput], true);
}
