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

    public Task UpdateAsync(PortalUser user, CancellationToken cancellationToken = default)
    {
        if (!_users.ContainsKey(user.Id))
        {
            throw new InvalidOperationException($"User {user.Id} does not exist.");
        }

        _users[user.Id] = Copy(user);
        Updates++;
        return Task.CompletedTask;
    }

    private static PortalUser Copy(PortalUser u) =>
        PortalUser.FromStore(u.Id, u.UserName, u.DisplayName, u.Role, u.Scopes.ToList(), u.CreatedAt, u.PasswordHash, u.TotpSecret, u.ExternalSubject, u.IsDisabled, u.LastLoginAt, u.SecurityStamp);
}
