using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Patching;

/// <summary>What one scan did, for the job's log and the benchmark.</summary>
public sealed record PatchScanResult(int Scopes, int Instances, int Online, int ScanCommands, int StatesRead);

/// <summary>
/// The scheduled scan: per account and region, lists the managed instances (DescribeInstanceInformation), sends AWS-RunPatchBaseline
/// with Operation=Scan to those online (50 a command), reads the patch states (DescribeInstancePatchStates, 50 ids a call), and stores
/// one state per instance — the instances without an online agent too, with why. The Scan command is claimed per account and region,
/// so the job run twice (or on two nodes) sends it once; reading and storing states again is harmless.
/// </summary>
public sealed class PatchScanner(IInventory inventory, IRemoteCommands commands, IPatchStateStore states, IPatchCatalog catalog, TimeProvider clock)
{
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMinutes(30);

    public async Task<PatchScanResult> ScanAsync(TimeSpan interval, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var groups = await catalog.GroupsAsync(cancellationToken);
        var fleet = (await Fleet.AllAsync(inventory, cancellationToken)).Where(i => i.State != InstanceState.Terminated).ToList();
        int scopes = 0, online = 0, scanCommands = 0, read = 0;
        var all = new List<InstancePatchState>(fleet.Count);
        foreach (var scope in fleet.GroupBy(i => new CloudScope(i.AccountId, i.Region)))
        {
            scopes++;
            var managed = (await commands.ManagedInstancesAsync(scope.Key, cancellationToken)).ToDictionary(m => m.InstanceId, StringComparer.Ordinal);
            var agents = scope.Select(i => (Instance: i, Agent: AgentStatus.Of(i, managed.GetValueOrDefault(i.InstanceId), now))).ToList();
            var reachable = agents.Where(a => a.Agent.IsOnline).Select(a => a.Instance.InstanceId).ToList();
            online += reachable.Count;
            if (reachable.Count > 0 && await states.TryClaimScanAsync(scope.Key, now, interval - TimeSpan.FromMinutes(1), cancellationToken))
            {
                foreach (var chunk in reachable.Chunk(50))
                {
                    await commands.SendAsync(scope.Key, chunk, PatchRunEngine.Document,
                        new Dictionary<string, IReadOnlyList<string>> { ["Operation"] = ["Scan"] }, "PortalOps patch scan", cancellationToken);
                    scanCommands++;
                }
            }

            var known = agents.Where(a => managed.ContainsKey(a.Instance.InstanceId)).Select(a => a.Instance.InstanceId).ToList();
            var found = known.Count == 0 ? [] : (await commands.PatchStatesAsync(scope.Key, known, cancellationToken)).ToDictionary(p => p.InstanceId, StringComparer.Ordinal);
            read += found.Count;
            foreach (var (instance, agent) in agents)
            {
                var footprint = Footprint.Of(instance.AccountId, instance.Region, instance.Tags);
                var group = groups.FirstOrDefault(g => g.Contains(instance.Tags))?.Name ?? found.GetValueOrDefault(instance.InstanceId)?.PatchGroup;
                all.Add(new InstancePatchState(instance.Ref, instance.Name, footprint, string.IsNullOrEmpty(group) ? null : group, agent)
                    .With(found.GetValueOrDefault(instance.InstanceId), now));
            }
        }

        await states.UpsertAsync(all, cancellationToken);
        await states.RecordTrendAsync(PatchCompliance.Snapshot(all, now), cancellationToken);
        return new PatchScanResult(scopes, all.Count, online, scanCommands, read);
    }
}
