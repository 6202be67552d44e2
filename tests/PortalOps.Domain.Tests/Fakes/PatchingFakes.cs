using System.Collections.Concurrent;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Tests.Fakes;

/// <summary>Runs kept as copies (as a database would), saved only over the version read.</summary>
internal sealed class InMemoryPatchRunStore : IPatchRunStore
{
    private readonly ConcurrentDictionary<Guid, PatchRun> _runs = new();
    private readonly Lock _lock = new();

    /// <summary>When set, every FindAsync waits here first (two workers reading the same run before either saves).</summary>
    public AsyncGate? FindGate { get; set; }

    public Task AddAsync(PatchRun run, CancellationToken cancellationToken = default)
    {
        _runs[run.Id] = Copy(run);
        return Task.CompletedTask;
    }

    public async Task<PatchRun?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var found = _runs.TryGetValue(id, out var run) ? Copy(run) : null;
        if (FindGate is { } gate)
        {
            await gate.ArriveAndWaitAsync(cancellationToken);
        }

        return found;
    }

    public Task<PatchRun?> FindByKeyAsync(string idempotencyKey, CancellationToken cancellationToken = default) =>
        Task.FromResult(_runs.Values.Where(r => r.IdempotencyKey == idempotencyKey).Select(Copy).FirstOrDefault());

    public Task SaveAsync(PatchRun run, int expectedVersion, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_runs.TryGetValue(run.Id, out var stored) || stored.Version != expectedVersion)
            {
                throw new ConcurrencyConflictException("The patch run changed meanwhile.");
            }

            _runs[run.Id] = Copy(run);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Guid>> ActiveAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<Guid>>(_runs.Values.Where(r => !r.IsFinished).Select(r => r.Id).ToList());

    public Task<Page<PatchRun>> QueryAsync(ReadScope scope, int pageIndex, int pageSize, CancellationToken cancellationToken = default)
    {
        var visible = _runs.Values.Where(r => scope.Covers(r.Footprint)).OrderByDescending(r => r.CreatedAt).ToList();
        return Task.FromResult(new Page<PatchRun>(visible.Skip(pageIndex * pageSize).Take(pageSize).Select(Copy).ToList(), visible.Count, pageIndex, pageSize));
    }

    public PatchRun Single() => Copy(_runs.Values.Single());

    private static PatchRun Copy(PatchRun r) => PatchRun.FromStore(r.Id, r.IdempotencyKey, r.GroupName, r.Plan, r.Reboot, r.HealthQuiet, r.WindowId, r.WindowName, r.WindowEndsAt,
        r.RequestedBy, r.RequestedByName, r.CreatedAt, r.Footprint, r.Status, r.StatusReason, r.ApprovalId, r.FinishedAt, r.Version, r.Targets.ToList(), r.Waves.ToList());
}

internal sealed class InMemoryPatchCatalog : IPatchCatalog
{
    private readonly List<PatchBaseline> _versions = [];
    private readonly List<PatchGroup> _groups = [];

    public Task<IReadOnlyList<PatchBaseline>> BaselinesAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<PatchBaseline>>(_versions.GroupBy(b => b.Id).Select(g => g.MaxBy(b => b.Version)!).ToList());

    public Task<IReadOnlyList<PatchBaseline>> HistoryAsync(Guid baselineId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<PatchBaseline>>(_versions.Where(b => b.Id == baselineId).OrderBy(b => b.Version).ToList());

    public Task AddVersionAsync(PatchBaseline baseline, CancellationToken cancellationToken = default)
    {
        if (_versions.Any(b => b.Id == baseline.Id && b.Version == baseline.Version))
        {
            throw new ConcurrencyConflictException("That version exists.");
        }

        _versions.Add(baseline);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PatchGroup>> GroupsAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<PatchGroup>>(_groups.ToList());

    public Task SaveGroupAsync(PatchGroup group, CancellationToken cancellationToken = default)
    {
        _groups.RemoveAll(g => g.Name == group.Name);
        _groups.Add(group);
        return Task.CompletedTask;
    }
}

/// <summary>Systems Manager as a test drives it: agents by instance, and command outcomes set by the test.</summary>
internal sealed class FakeRemoteCommands : IRemoteCommands
{
    public ConcurrentQueue<(CloudScope Scope, IReadOnlyList<string> InstanceIds, string Document, IReadOnlyDictionary<string, IReadOnlyList<string>> Parameters)> Sent { get; } = new();

    /// <summary>Ping status by instance id; instances not listed are unknown to Systems Manager.</summary>
    public Dictionary<string, string> Agents { get; } = new(StringComparer.Ordinal);

    /// <summary>Outcome by instance id for commands sent to it (default: still in progress).</summary>
    public ConcurrentDictionary<string, string> Outcomes { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, PatchState> States { get; } = new(StringComparer.Ordinal);

    public List<int> PatchStateCallSizes { get; } = [];

    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _commands = new();

    public IEnumerable<string> InstallsSentTo => Sent.Where(s => s.Parameters["Operation"][0] == "Install").SelectMany(s => s.InstanceIds);

    public Task<(string CommandId, string? RequestId)> SendAsync(CloudScope scope, IReadOnlyList<string> instanceIds, string documentName, IReadOnlyDictionary<string, IReadOnlyList<string>> parameters, string comment, CancellationToken cancellationToken = default)
    {
        Sent.Enqueue((scope, instanceIds, documentName, parameters));
        var id = Guid.NewGuid().ToString();
        _commands[id] = instanceIds;
        return Task.FromResult<(string, string?)>((id, "req-1"));
    }

    public Task<IReadOnlyList<CommandInvocation>> InvocationsAsync(CloudScope scope, string commandId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<CommandInvocation>>(_commands.GetValueOrDefault(commandId, [])
            .Select(i => Outcomes.TryGetValue(i, out var o) ? new CommandInvocation(i, o, $"{o} output for {i}", o == "Success" ? 0 : 1) : new CommandInvocation(i, "InProgress", null, null))
            .ToList());

    public Task<IReadOnlyList<ManagedInstance>> ManagedInstancesAsync(CloudScope scope, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ManagedInstance>>(Agents.Select(a => new ManagedInstance(a.Key, a.Value, "Amazon Linux", "3.3.40.0", Make.Now.AddMinutes(-30))).ToList());

    public Task<IReadOnlyList<PatchState>> PatchStatesAsync(CloudScope scope, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken = default)
    {
        PatchStateCallSizes.Add(instanceIds.Count);
        return Task.FromResult<IReadOnlyList<PatchState>>(instanceIds.Where(States.ContainsKey).Select(i => States[i]).ToList());
    }
}

internal sealed class FakeHealthGate : IPatchHealthGate
{
    public HealthGateResult Answer { get; set; } = HealthGateResult.Pass;

    public int Checks { get; private set; }

    public Task<HealthGateResult> CheckAsync(IReadOnlyList<InstanceRef> instances, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        Checks++;
        return Task.FromResult(Answer);
    }
}

internal sealed class RecordingRebootPreparation : IRebootPreparation
{
    public List<string> Calls { get; } = [];

    public Task PrepareAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default)
    {
        Calls.Add("drain " + string.Join(",", instances.Select(i => i.InstanceId)));
        return Task.CompletedTask;
    }

    public Task RestoreAsync(IReadOnlyList<InstanceRef> instances, CancellationToken cancellationToken = default)
    {
        Calls.Add("restore " + string.Join(",", instances.Select(i => i.InstanceId)));
        return Task.CompletedTask;
    }
}

internal sealed class RecordingPatchRunNotifier : IPatchRunNotifier
{
    public List<string> Changes { get; } = [];

    public Task ChangedAsync(PatchRun run, CancellationToken cancellationToken = default)
    {
        Changes.Add($"{run.Status}: {run.Progress()}");
        return Task.CompletedTask;
    }
}

internal sealed class InMemoryPatchStateStore : IPatchStateStore
{
    private readonly ConcurrentDictionary<InstanceRef, InstancePatchState> _states = new();
    private readonly ConcurrentDictionary<CloudScope, DateTimeOffset> _claims = new();
    private readonly List<PatchComplianceSnapshot> _trend = [];

    public Task UpsertAsync(IReadOnlyList<InstancePatchState> states, CancellationToken cancellationToken = default)
    {
        foreach (var s in states)
        {
            _states[s.Instance] = s;
        }

        return Task.CompletedTask;
    }

    public Task<Page<InstancePatchState>> QueryAsync(PatchStateQuery query, CancellationToken cancellationToken = default)
    {
        var all = _states.Values.Where(s => query.Scope.Covers(s.Footprint) && (query.AgentOnline is not { } on || s.Agent.IsOnline == on)).OrderBy(s => s.Instance.ToString()).ToList();
        return Task.FromResult(new Page<InstancePatchState>(all.Skip(query.PageIndex * query.PageSize).Take(query.PageSize).ToList(), all.Count, query.PageIndex, query.PageSize));
    }

    public Task<IReadOnlyList<InstancePatchState>> ListAsync(ReadScope scope, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<InstancePatchState>>(_states.Values.Where(s => scope.Covers(s.Footprint)).ToList());

    public Task RecordTrendAsync(IReadOnlyList<PatchComplianceSnapshot> snapshots, CancellationToken cancellationToken = default)
    {
        _trend.RemoveAll(t => snapshots.Any(s => s.Day == t.Day && s.AccountId == t.AccountId && s.Region == t.Region));
        _trend.AddRange(snapshots);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PatchComplianceSnapshot>> TrendAsync(ReadScope scope, DateOnly from, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<PatchComplianceSnapshot>>(_trend.Where(t => t.Day >= from && scope.Covers(t.Footprint)).ToList());

    public Task<bool> TryClaimScanAsync(CloudScope scope, DateTimeOffset now, TimeSpan interval, CancellationToken cancellationToken = default)
    {
        var claimed = false;
        _claims.AddOrUpdate(scope, _ => { claimed = true; return now; }, (_, last) =>
        {
            if (now - last < interval)
            {
                return last;
            }

            claimed = true;
            return now;
        });
        return Task.FromResult(claimed);
    }

    public IReadOnlyList<PatchComplianceSnapshot> Trend => _trend;
}
