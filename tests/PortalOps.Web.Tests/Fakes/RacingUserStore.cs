using PortalOps.Domain.Security;

namespace PortalOps.Web.Tests.Fakes;

/// <summary>
/// A user store that lets something else happen right after a read (an Admin's change landing between a login's read and
/// its write, say): <see cref="AfterRead"/> runs once, after the next find or list.
/// </summary>
public sealed class RacingUserStore(FakeUserStore inner) : IUserStore
{
    public Func<Task>? AfterRead { get; set; }

    public async Task<PortalUser?> FindAsync(Guid id, CancellationToken cancellationToken = default) => await Race(await inner.FindAsync(id, cancellationToken));

    public async Task<PortalUser?> FindByNameAsync(string userName, CancellationToken cancellationToken = default) =>
        await Race(await inner.FindByNameAsync(userName, cancellationToken));

    public async Task<PortalUser?> FindByExternalSubjectAsync(string subject, CancellationToken cancellationToken = default) =>
        await Race(await inner.FindByExternalSubjectAsync(subject, cancellationToken));

    public async Task<IReadOnlyList<PortalUser>> ListAsync(CancellationToken cancellationToken = default) => await Race(await inner.ListAsync(cancellationToken));

    public Task<int> CountAsync(CancellationToken cancellationToken = default) => inner.CountAsync(cancellationToken);

    public Task AddAsync(PortalUser user, CancellationToken cancellationToken = default) => inner.AddAsync(user, cancellationToken);

    public Task UpdateAsync(PortalUser user, CancellationToken cancellationToken = default) => inner.UpdateAsync(user, cancellationToken);

    public Task RecordLoginAsync(Guid userId, DateTimeOffset at, CancellationToken cancellationToken = default) => inner.RecordLoginAsync(userId, at, cancellationToken);

    public Task<bool> TryUseTotpStepAsync(Guid userId, long step, CancellationToken cancellationToken = default) => inner.TryUseTotpStepAsync(userId, step, cancellationToken);

    private async Task<T> Race<T>(T result)
    {
        if (AfterRead is { } race)
        {
            AfterRead = null;
            await race();
        }

        return result;
    }
}
