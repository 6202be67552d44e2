using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Actions;

/// <summary>
/// What happens around an instance action for instances behind a load balancer: before a stop, reboot, hibernate or terminate
/// they are taken out of every target group and the drain is waited for; after a reboot or a start they are registered again
/// where they were. The default (<see cref="NoInstanceDrain"/>) does nothing.
/// </summary>
public interface IInstanceDrain
{
    /// <summary>Drains the instances before <paramref name="action"/>; throws when the drain could not be started (nothing is acted on then).</summary>
    Task<DrainOutcome> DrainAsync(InstanceAction action, IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default);

    /// <summary>After <paramref name="action"/> took: registers the instances again (reboot: what the drain took out; start: what an earlier stop took out).</summary>
    Task<DrainOutcome> RestoreAsync(InstanceAction action, IReadOnlyList<InstanceRef> instances, DrainOutcome? drained, CancellationToken cancellationToken = default);
}

/// <summary>What a drain or a restore did, in words for the audit record and the message, and the provider's request ids.</summary>
public sealed record DrainOutcome(int Registrations, string? Summary, IReadOnlyList<string> RequestIds)
{
    public static DrainOutcome None { get; } = new(0, null, []);

    public TimeSpan Waited { get; init; }
}

/// <summary>No load balancing integration: instance actions act at once.</summary>
public sealed class NoInstanceDrain : IInstanceDrain
{
    public Task<DrainOutcome> DrainAsync(InstanceAction action, IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default) => Task.FromResult(DrainOutcome.None);

    public Task<DrainOutcome> RestoreAsync(InstanceAction action, IReadOnlyList<InstanceRef> instances, DrainOutcome? drained, CancellationToken cancellationToken = default) => Task.FromResult(DrainOutcome.None);
}

/// <summary>
/// A condition that makes a request wait for approval although no saved rule asks for it (taking the last healthy target out of
/// a target group). Consulted by the pipeline after the policy's rules.
/// </summary>
public interface IApprovalCondition
{
    Task<Approvals.ApprovalRule?> RuleForAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken = default);
}
