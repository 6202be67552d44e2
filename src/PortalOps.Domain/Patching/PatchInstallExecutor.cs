using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;

namespace PortalOps.Domain.Patching;

/// <summary>
/// The approved install: marks the run approved so the run job starts its first wave. The pipeline runs it once per key
/// (its durable ledger), and approving an approved run changes nothing, so a second execution installs nothing twice.
/// </summary>
public sealed class PatchInstallExecutor(IPatchRunStore runs) : IActionExecutor
{
    public bool CanExecute(ActionKind kind) => kind == ActionKind.InstallPatches;

    public async Task<ActionExecution> ExecuteAsync(ActionKind kind, IReadOnlyList<ResolvedTarget> targets, IReadOnlyDictionary<string, string> parameters, string idempotencyKey, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(parameters.GetValueOrDefault(PatchRuns.RunIdParameter), out var runId) || await runs.FindAsync(runId, cancellationToken) is not { } run)
        {
            return new ActionExecution(false, "The patch run named by this request does not exist.", null);
        }

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var read = run.Version;
            if (!run.Approve())
            {
                return new ActionExecution(!run.IsFinished || run.Status == PatchRunStatus.Succeeded, $"Patch run {run.Id:N} is {run.Status}.", null);
            }

            try
            {
                await runs.SaveAsync(run, read, cancellationToken);
                return new ActionExecution(true, $"Patch run {run.Id:N} approved: {targets.Count} instance(s) in {run.Waves.Count} wave(s) within window {run.WindowName}.", null);
            }
            catch (ConcurrencyConflictException)
            {
                run = await runs.FindAsync(runId, cancellationToken) ?? run;
            }
        }

        return new ActionExecution(false, $"Patch run {run.Id:N} changed while it was being approved; try again.", null);
    }
}
