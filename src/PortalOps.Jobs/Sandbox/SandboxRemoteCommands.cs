using System.Collections.Concurrent;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Patching;

namespace PortalOps.Jobs.Sandbox;

/// <summary>
/// The Sandbox's Systems Manager. Most running instances have an online agent; about one in twelve has lost its connection and one in
/// twenty-five was never registered (no instance profile). Each instance misses a few patches by severity, fixed by an install that takes
/// a minute or two, fails now and then (about one in fifteen), and leaves patches pending a reboot when told not to reboot.
/// Other documents (the corrective RunDocument) succeed at once. Everything follows from the instance id, so a restart shows the same fleet.
/// </summary>
public sealed class SandboxRemoteCommands(IInventory inventory, TimeProvider clock) : IRemoteCommands
{
    private readonly ConcurrentDictionary<string, SandboxCommand> _commands = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, InstancePatches> _patched = new(StringComparer.Ordinal);

    public Task<(string CommandId, string? RequestId)> SendAsync(CloudScope scope, IReadOnlyList<string> instanceIds, string documentName, IReadOnlyDictionary<string, IReadOnlyList<string>> parameters, string comment, CancellationToken cancellationToken = default)
    {
        var id = Guid.NewGuid().ToString();
        var operation = parameters.TryGetValue("Operation", out var op) && op.Count > 0 ? op[0] : null;
        var reboot = !parameters.TryGetValue("RebootOption", out var r) || r.Count == 0 || r[0] != "NoReboot";
        _commands[id] = new SandboxCommand(instanceIds.ToList(), documentName, operation, reboot, clock.GetUtcNow());
        return Task.FromResult<(string, string?)>((id, $"sandbox-{Guid.NewGuid():N}"));
    }

    public Task<IReadOnlyList<CommandInvocation>> InvocationsAsync(CloudScope scope, string commandId, CancellationToken cancellationToken = default)
    {
        if (!_commands.TryGetValue(commandId, out var command))
        {
            return Task.FromResult<IReadOnlyList<CommandInvocation>>([]);
        }

        var now = clock.GetUtcNow();
        var list = new List<CommandInvocation>(command.InstanceIds.Count);
        foreach (var instanceId in command.InstanceIds)
        {
            if (command.Document != PatchRunEngine.Document)
            {
                list.Add(new CommandInvocation(instanceId, "Success", string.Empty, 0));
                continue;
            }

            var h = Hash(instanceId);
            var takes = TimeSpan.FromSeconds(command.Operation == "Install" ? 60 + (h % 90) : 15 + (h % 20));
            if (now - command.SentAt < takes)
            {
                list.Add(new CommandInvocation(instanceId, "InProgress", null, null));
                continue;
            }

            var fails = command.Operation == "Install" && Hash(instanceId + commandId) % 15 == 0;
            if (fails)
            {
                list.Add(new CommandInvocation(instanceId, "Failed", $"Installing patches...\nError: package kernel-6.1.{h % 90} failed its scriptlet (exit 1).\nFailed to install 1 of {Baseline(instanceId).Missing} patches.", 1));
                continue;
            }

            if (command.Operation == "Install")
            {
                _patched.AddOrUpdate(instanceId, _ => new InstancePatches(now, !command.Reboot), (_, _) => new InstancePatches(now, !command.Reboot));
            }

            var missing = Baseline(instanceId).Missing;
            list.Add(new CommandInvocation(instanceId, "Success", command.Operation == "Install"
                ? $"Installing {missing} patch(es)...\nInstalled {missing} of {missing}.\n{(command.Reboot ? "Rebooting to finish." : "A reboot is pending (NoReboot).")}"
                : $"Scan finished: {missing} missing.", 0));
        }

        return Task.FromResult<IReadOnlyList<CommandInvocation>>(list);
    }

    public async Task<IReadOnlyList<ManagedInstance>> ManagedInstancesAsync(CloudScope scope, CancellationToken cancellationToken = default) =>
        (await Fleet.AllAsync(inventory, cancellationToken))
            .Where(i => i.AccountId == scope.AccountId && i.Region == scope.Region && i.State != InstanceState.Terminated && Hash(i.InstanceId) % 25 != 7)
            .Select(i => Hash(i.InstanceId) % 12 == 5 || i.State != InstanceState.Running
                ? new ManagedInstance(i.InstanceId, "ConnectionLost", PlatformOf(i), "3.2.582.0", clock.GetUtcNow().AddHours(-(Hash(i.InstanceId) % 48) - 1))
                : new ManagedInstance(i.InstanceId, "Online", PlatformOf(i), Hash(i.InstanceId) % 3 == 0 ? "3.3.40.0" : "3.3.131.0", clock.GetUtcNow().AddMinutes(-(Hash(i.InstanceId) % 5))))
            .ToList();

    public Task<IReadOnlyList<PatchState>> PatchStatesAsync(CloudScope scope, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var list = new List<PatchState>(instanceIds.Count);
        foreach (var id in instanceIds)
        {
            var b = Baseline(id);
            var scannedAt = now.AddHours(-(Hash(id) % 20) - 1);
            if (_patched.TryGetValue(id, out var done))
            {
                list.Add(new PatchState(id, "pb-0sandbox0000000001", b.Installed + b.Missing, 0, 0, done.PendingReboot ? b.Missing : 0, "Install", done.At)
                {
                    PatchGroup = null, OtherNonCompliant = done.PendingReboot ? b.Missing : 0,
                });
                continue;
            }

            list.Add(new PatchState(id, "pb-0sandbox0000000001", b.Installed, b.Missing, b.Failed, 0, "Scan", scannedAt)
            {
                CriticalNonCompliant = b.Critical, SecurityNonCompliant = b.Security, OtherNonCompliant = b.Missing - b.Critical - b.Security + b.Failed,
            });
        }

        return Task.FromResult<IReadOnlyList<PatchState>>(list);
    }

    private static string PlatformOf(Instance i) => i.Platform.Contains("windows", StringComparison.OrdinalIgnoreCase) ? "Microsoft Windows Server 2022 Datacenter" : "Amazon Linux";

    /// <summary>What an instance misses before it is patched: most a few, some critical, a third nothing.</summary>
    private static (int Installed, int Missing, int Critical, int Security, int Failed) Baseline(string instanceId)
    {
        var h = Hash(instanceId);
        if (h % 3 == 0)
        {
            return (380 + (int)(h % 60), 0, 0, 0, 0);
        }

        var critical = h % 7 == 1 ? 1 + (int)(h % 2) : 0;
        var security = h % 4 == 1 ? 1 + (int)(h % 4) : 0;
        var other = (int)(h % 6);
        return (380 + (int)(h % 60), critical + security + other, critical, security, h % 31 == 3 ? 1 : 0);
    }

    private static uint Hash(string text)
    {
        var h = 2166136261u;
        foreach (var c in text)
        {
            h = (h ^ c) * 16777619u;
        }

        return h;
    }

    private sealed record SandboxCommand(IReadOnlyList<string> InstanceIds, string Document, string? Operation, bool Reboot, DateTimeOffset SentAt);

    private sealed record InstancePatches(DateTimeOffset At, bool PendingReboot);
}
