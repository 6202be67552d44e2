using System.Collections.Concurrent;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;

namespace PortalOps.Jobs.Tests.Fixtures;

/// <summary>Accepts every action and remembers each call.</summary>
public sealed class FakeCompute : ICompute
{
    public ConcurrentQueue<(InstanceAction Action, IReadOnlyList<InstanceRef> Targets, string IdempotencyKey)> Calls { get; } = new();

    public Task<ComputeResult> ApplyAsync(InstanceAction action, IReadOnlyList<InstanceRef> targets, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue((action, targets, idempotencyKey));
        return Task.FromResult(new ComputeResult(targets.Select(t => new TargetResult(t, true)).ToList(), $"req-{idempotencyKey[..8]}"));
    }
}

/// <summary>
/// An inventory that knows the instances <see cref="Builders.PendingStop"/> names (i-00000000000000001 … in 123456789012/eu-west-1,
/// named web-N, tagged env=prod and team=tN), so an approved request is authorized again at execution against them.
/// </summary>
public sealed class BuilderInventory : IInventory
{
    public Task<Page<Instance>> QueryAsync(InstanceQuery query, CancellationToken cancellationToken = default) => Task.FromResult(Page<Instance>.Empty());

    public Task<Instance?> FindAsync(InstanceRef instance, CancellationToken cancellationToken = default)
    {
        if (instance.AccountId != "123456789012" || instance.Region != "eu-west-1" || !instance.InstanceId.StartsWith("i-", StringComparison.Ordinal)
            || !long.TryParse(instance.InstanceId[2..], System.Globalization.NumberStyles.HexNumber, null, out var n))
        {
            return Task.FromResult<Instance?>(null);
        }

        return Task.FromResult<Instance?>(new Instance(
            instance, $"web-{n}", "t3.micro", InstanceState.Running, "eu-west-1a", "Linux/UNIX", Builders.Epoch.AddDays(-1),
            new Dictionary<string, string> { ["env"] = "prod", ["team"] = $"t{n}" }, [], null));
    }

    public Task<FleetSummary> SummarizeAsync(IReadOnlyList<PortalOps.Domain.Security.Scope>? visibleTo = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new FleetSummary(0, new Dictionary<InstanceState, int>(), new Dictionary<string, int>()));
}

/// <summary>An empty fleet: the jobs under test never look instances up.</summary>
public sealed class EmptyInventory : IInventory
{
    public Task<Page<Instance>> QueryAsync(InstanceQuery query, CancellationToken cancellationToken = default) => Task.FromResult(Page<Instance>.Empty());

    public Task<Instance?> FindAsync(InstanceRef instance, CancellationToken cancellationToken = default) => Task.FromResult<Instance?>(null);

    public Task<FleetSummary> SummarizeAsync(IReadOnlyList<PortalOps.Domain.Security.Scope>? visibleTo = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new FleetSummary(0, new Dictionary<InstanceState, int>(), new Dictionary<string, int>()));
}

/// <summary>A user store with nobody in it.</summary>
public sealed class NoUsers : PortalOps.Domain.Security.IUserStore
{
    public Task<PortalOps.Domain.Security.PortalUser?> FindAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult<PortalOps.Domain.Security.PortalUser?>(null);

    public Task<PortalOps.Domain.Security.PortalUser?> FindByNameAsync(string userName, CancellationToken cancellationToken = default) => Task.FromResult<PortalOps.Domain.Security.PortalUser?>(null);

    public Task<PortalOps.Domain.Security.PortalUser?> FindByExternalSubjectAsync(string subject, CancellationToken cancellationToken = default) => Task.FromResult<PortalOps.Domain.Security.PortalUser?>(null);

    public Task<IReadOnlyList<PortalOps.Domain.Security.PortalUser>> ListAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<PortalOps.Domain.Security.PortalUser>>([]);

    public Task<int> CountAsync(CancellationToken cancellationToken = default) => Task.FromResult(0);

    public Task AddAsync(PortalOps.Domain.Security.PortalUser user, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task UpdateAsync(PortalOps.Domain.Security.PortalUser user, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task RecordLoginAsync(Guid userId, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<bool> TryUseTotpStepAsync(Guid userId, long step, CancellationToken cancellationToken = default) => Task.FromResult(false);
}
