using PortalOps.Domain.Security;

namespace PortalOps.Domain.Tests.Fakes;

internal sealed class InMemoryUserStore : IUserStore
{
    private readonly Lock _lock = new();
    private readonly List<PortalUser> _users = [];

    public Task<PortalUser?> FindAsync(Guid id, CancellationToken cancellationToken = default) => Single(u => u.Id == id);

    public Task<PortalUser?> FindByNameAsync(string userName, CancellationToken cancellationToken = default) =>
        Single(u => string.Equals(u.UserName, userName, StringComparison.OrdinalIgnoreCase));

    public Task<PortalUser?> FindByExternalSubjectAsync(string subject, CancellationToken cancellationToken = default) =>
        Single(u => u.ExternalSubject == subject);

    public Task<IReadOnlyList<PortalUser>> ListAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<PortalUser>>(_users.ToList());
        }
    }

    public Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_users.Count);
        }
    }

    public Task AddAsync(PortalUser user, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _users.Add(user);
        }

        return Task.CompletedTask;
    }

    public Task UpdateAsync(PortalUser user, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task RecordLoginAsync(Guid userId, DateTimeOffset at, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<bool> TryUseTotpStepAsync(Guid userId, long step, CancellationToken cancellationToken = default) => Task.FromResult(false);

    private Task<PortalUser?> Single(Func<PortalUser, bool> predicate)
    {
        lock (_lock)
        {
            return Task.FromResult(_users.FirstOrDefault(predicate));
        }
    }
}
