using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Patching;

/// <summary>
/// Moves patch runs on, one short step at a time: send a wave's install, read its commands' results, check its health gate.
/// Nothing here waits for an install or a quiet period; the job calls it again a minute later. Every step saves over the version it
/// read, so two workers stepping the same run at once never both send a wave (the second one's save is refused and it stops).
/// </summary>
public sealed class PatchRunEngine(
    IPatchRunStore store,
    IRemoteCommands commands,
    IPatchHealthGate gate,
    IRebootPreparation reboots,
    IPatchRunNotifier notifier,
    IApprovalStore approvals,
    TimeProvider clock)
{
    public const string Document = "AWS-RunPatchBaseline";

    /// <summary>Steps every active run once; returns how many changed.</summary>
    public async Task<int> AdvanceActiveAsync(CancellationToken cancellationToken = default)
    {
        var changed = 0;
        foreach (var id in await store.ActiveAsync(cancellationToken))
        {
            if (await AdvanceAsync(id, cancellationToken))
            {
                changed++;
            }
        }

        return changed;
    }

    /// <summary>One step of one run; true when the run changed.</summary>
    public async Task<bool> AdvanceAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var run = await store.FindAsync(runId, cancellationToken);
        if (run is null || run.IsFinished)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        var read = run.Version;
        var waveBefore = run.CurrentWave;
        if (run.Status == PatchRunStatus.AwaitingApproval)
        {
            return await SettleRefusedApprovalAsync(run, read, now, cancellationToken);
        }

        switch (run.CurrentWave)
        {
            case { Status: WaveStatus.Pending }:
                var toSend = run.BeginWave(now);
                if (!await TrySaveAsync(run, read, cancellationToken))
                {
                    return false;
                }

                if (toSend.Count > 0)
                {
                    await SendAsync(run, toSend, now, cancellationToken);
                }

                break;

            case { Status: WaveStatus.Installing } wave:
                var lost = run.LostSends(now);
                if (lost.Count > 0)
                {
                    run.Reclaim(lost.Select(t => t.Instance), now);
                    if (!await TrySaveAsync(run, read, cancellationToken))
                    {
                        return false;
                    }

                    await SendAsync(run, lost, now, cancellationToken);
                    break;
                }

                await PollAsync(run, wave, now, cancellationToken);
                var installed = run.FinishInstall(now);
                if (run.Version == read || !await TrySaveAsync(run, read, cancellationToken))
                {
                    return false;
                }

                if (installed && run.Reboot == RebootPolicy.RebootIfNeeded)
                {
                    await reboots.RestoreAsync(run.InWave(wave.Index).Select(t => t.Instance).ToList(), cancellationToken);
                }

                break;

            case { Status: WaveStatus.Verifying } wave:
                var result = await gate.CheckAsync(run.InWave(wave.Index).Select(t => t.Instance).ToList(), wave.InstalledAt!.Value, cancellationToken);
                if (!run.Gate(result, now) || !await TrySaveAsync(run, read, cancellationToken))
                {
                    return false;
                }

                break;

            default:
                return false;
        }

        if (run.IsFinished || run.CurrentWave?.Index != waveBefore?.Index || run.CurrentWave?.Status != waveBefore?.Status)
        {
            await notifier.ChangedAsync(run, cancellationToken);
        }

        return true;
    }

    /// <summary>A run whose approval request was denied or expired is denied too.</summary>
    private async Task<bool> SettleRefusedApprovalAsync(PatchRun run, int read, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (run.ApprovalId is not { } approvalId || await approvals.FindAsync(approvalId, cancellationToken) is not { } approval
            || approval.Status is not (ApprovalStatus.Denied or ApprovalStatus.Expired or ApprovalStatus.Failed))
        {
            return false;
        }

        run.Deny($"The approval request was {approval.Status.ToString().ToLowerInvariant()}.", now);
        if (!await TrySaveAsync(run, read, cancellationToken))
        {
            return false;
        }

        await notifier.ChangedAsync(run, cancellationToken);
        return true;
    }

    /// <summary>Sends the install to claimed targets, one command per account and region (at most 50 instances a command), then records the command ids.</summary>
    private async Task SendAsync(PatchRun run, IReadOnlyList<PatchRunTarget> targets, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var instances = targets.Select(t => t.Instance).ToList();
        if (run.Reboot == RebootPolicy.RebootIfNeeded)
        {
            await reboots.PrepareAsync(instances, cancellationToken);
        }

        var sent = new List<(IReadOnlyList<InstanceRef> Instances, string? CommandId, string? Error)>();
        var parameters = new Dictionary<string, IReadOnlyList<string>>
        {
            ["Operation"] = ["Install"],
            ["RebootOption"] = [run.Reboot.ToString()],
        };
        foreach (var scope in instances.GroupBy(i => new CloudScope(i.AccountId, i.Region)))
        {
            foreach (var chunk in scope.Chunk(50))
            {
                try
                {
                    var (commandId, _) = await commands.SendAsync(scope.Key, chunk.Select(i => i.InstanceId).ToList(), Document, parameters,
                        $"PortalOps patch run {run.Id:N} wave {targets[0].Wave}", cancellationToken);
                    sent.Add((chunk, commandId, null));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    sent.Add((chunk, null, $"Install not sent: {e.Message}"));
                }
            }
        }

        // The sends happened: record them even if another step saved meanwhile (read the run again and apply, a few times).
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var stored = run.Version;
            foreach (var (chunk, commandId, error) in sent)
            {
                if (commandId is not null)
                {
                    run.Sent(chunk, commandId);
                }
                else
                {
                    run.SendFailed(chunk, error!, now);
                }
            }

            run.FinishInstall(now);
            try
            {
                await store.SaveAsync(run, stored, CancellationToken.None);
                return;
            }
            catch (ConcurrencyConflictException)
            {
                if (await store.FindAsync(run.Id, CancellationToken.None) is not { } fresh)
                {
                    return;
                }

                run = fresh;
            }
        }
    }

    private async Task PollAsync(PatchRun run, PatchWave wave, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var installing = run.InWave(wave.Index).Where(t => t.Status == PatchTargetStatus.Installing && t.CommandId is not null).ToList();
        foreach (var command in installing.GroupBy(t => (t.CommandId!, new CloudScope(t.Instance.AccountId, t.Instance.Region))))
        {
            foreach (var invocation in await commands.InvocationsAsync(command.Key.Item2, command.Key.Item1, cancellationToken))
            {
                run.Record(invocation, now);
            }
        }
    }

    private async Task<bool> TrySaveAsync(PatchRun run, int read, CancellationToken cancellationToken)
    {
        try
        {
            await store.SaveAsync(run, read, cancellationToken);
            return true;
        }
        catch (ConcurrencyConflictException)
        {
            return false;
        }
    }
}
