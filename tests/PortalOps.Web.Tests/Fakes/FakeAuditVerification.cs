using PortalOps.Domain.Audit;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Tests.Fakes;

/// <summary>
/// The verification job in memory: a run starts unfinished, and the first read after that walks the fake log's chain and finishes
/// it — so a page shows the progress state first, then the result.
/// </summary>
public sealed class FakeAuditVerification(FakeAuditLog log, TimeProvider clock) : IAuditVerification
{
    private readonly List<AuditVerificationStatus> _runs = [];

    public IReadOnlyList<AuditVerificationStatus> Runs => _runs;

    public async Task<AuditVerificationStatus?> StartAsync(Actor actor, CancellationToken cancellationToken = default)
    {
        if (!actor.IsAtLeast(Role.Admin))
        {
            return null;
        }

        var run = new AuditVerificationStatus(Guid.NewGuid(), actor.Name, clock.GetUtcNow(), log.Records.Count, 0, null, null, null, null);
        _runs.Add(run);
        await Task.Yield();
        return run;
    }

    public async Task<AuditVerificationStatus?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var index = _runs.FindIndex(r => r.Id == id);
        if (index < 0)
        {
            return null;
        }

        if (!_runs[index].IsFinished)
        {
            var result = await AuditChain.VerifyAsync(log.ReadChainAsync(cancellationToken), cancellationToken);
            var text = result.Intact ? $"Intact: {result.RecordsChecked} records checked." : $"Broken at record {result.FirstBrokenSequence}: {result.Problem}";
            _runs[index] = _runs[index] with { Checked = result.RecordsChecked, FinishedAt = clock.GetUtcNow(), Intact = result.Intact, FirstBrokenSequence = result.FirstBrokenSequence, Result = text };
        }

        return _runs[index];
    }

    public Task<AuditVerificationStatus?> LatestAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(_runs.Count == 0 ? null : _runs[^1]);
}
