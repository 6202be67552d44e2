using System.Collections.Concurrent;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Tests.Fakes;

/// <summary>Users in memory. Reads and writes copy the user, so a change counts only once it is saved, as with a database.</summary>
public sealed class FakeUserStore : IUserStore
{
    private readonly ConcurrentDictionary<Guid, PortalUser> _users = new();

    public int Updates { get; private set; }

    public PortalUser? Get(Guid id) => _users.TryGetValue(id, out var user) ? Copy(user) : null;

    public PortalUser Get(string userName) => Copy(_users.Values.Single(u => u.UserName == userName));

    public void Put(PortalUser user) => _users[user.Id] = Copy(user);

    public Task<PortalUser?> FindAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(Get(id));

    public Task<PortalUser?> FindByNameAsync(string userName, CancellationToken cancellationToken = default) =>
        Task.FromResult(_users.Values.Where(u => string.Equals(u.UserName, userName, StringComparison.OrdinalIgnoreCase)).Select(Copy).FirstOrDefault());

    public Task<PortalUser?> FindByExternalSubjectAsync(string subject, CancellationToken cancellationToken = default) =>
        Task.FromResult(_users.Values.Where(u => u.ExternalSubject == subject).Select(Copy).FirstOrDefault());

    public Task<IReadOnlyList<PortalUser>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<PortalUser>>(_users.Values.Select(Copy).ToList());

    public Task<int> CountAsync(CancellationToken cancellationToken = default) => Task.FromResult(_users.Count);

    public Task AddAsync(PortalUser user, CancellationToken cancellationToken = default)
    {
        if (!_users.TryAdd(user.Id, Copy(user)))
        {
            throw new InvalidOperationException($"User {user.Id} exists.");
        }

        return Task.CompletedTask;
    }

    /// <summary>As the database store: refused when the copy is older than the stored user, or when no enabled Admin would remain.</summary>
    public Task UpdateAsync(PortalUser user, CancellationToken cancellationToken = default)
    {
        lock (_users)
        {
            if (!_users.TryGetValue(user.Id, out var stored))
            {
                throw new InvalidOperationException($"User {user.Id} does not exist.");
            }

            if (stored.Version != user.Version)
            {
                throw new PortalOps.Domain.Common.ConcurrencyConflictException($"{user.UserName} was changed by someone else meanwhile; reload and try again.");
            }

            if (stored is { Role: Role.Admin, IsDisabled: false } && (user.Role != Role.Admin || user.IsDisabled)
                && !_users.Values.Any(u => u.Id != user.Id && u is { Role: Role.Admin, IsDisabled: false }))
            {
                throw new LastAdminException(user.UserName);
            }

            user.Saved(user.Version + 1);
            _users[user.Id] = Copy(user);
            Updates++;
        }

        return Task.CompletedTask;
    }

    public Task RecordLoginAsync(Guid userId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        lock (_users)
        {
            if (_users.TryGetValue(userId, out var u))
            {
                _users[userId] = PortalUser.FromStore(u.Id, u.UserName, u.DisplayName, u.Role, u.Scopes.ToList(), u.CreatedAt, u.PasswordHash, u.TotpSecret,
                    u.ExternalSubject, u.IsDisabled, at, u.SecurityStamp, u.TotpLastStep, u.Version);
            }
        }

        return Task.CompletedTask;
    }

    public Task<bool> TryUseTotpStepAsync(Guid userId, long step, CancellationToken cancellationToken = default)
    {
        lock (_users)
        {
            if (!_users.TryGetValue(userId, out var u) || u.TotpSecret is null || u.TotpLastStep >= step)
            {
                return Task.FromResult(false);
            }

            _users[userId] = PortalUser.FromStore(u.Id, u.UserName, u.DisplayName, u.Role, u.Scopes.ToList(), u.CreatedAt, u.PasswordHash, u.TotpSecret,
                u.ExternalSubject, u.IsDisabled, u.LastLoginAt, u.SecurityStamp, step, u.Version);
            return Task.FromResult(true);
        }
    }

    private static PortalUser Copy(PortalUser u) =>
        PortalUser.FromStore(u.Id, u.UserName, u.DisplayName, u.Role, u.Scopes.ToList(), u.CreatedAt, u.PasswordHash, u.TotpSecret, u.ExternalSubject, u.IsDisabled, u.LastLoginAt, u.SecurityStamp,
            u.TotpLastStep, u.Version);
}
