using System.Collections.Concurrent;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram.Groups;
using PortalOps.Jobs.Telegram.Linking;
using PortalOps.Jobs.Telegram.Notifications;

namespace PortalOps.Web.Tests.Fakes;

/// <summary>Telegram links in memory; <see cref="Unavailable"/> makes every call fail the way an unreachable store does.</summary>
public sealed class FakeUserDirectory(FakeUserStore users) : IUserDirectory
{
    public const string Store = "the test directory";

    private readonly ConcurrentDictionary<Guid, ChatLink> _links = new();

    /// <summary>When set, every call throws <see cref="UserDirectoryUnavailableException"/> with this message.</summary>
    public string? Unavailable { get; set; }

    public ChatLink? Get(Guid userId) => _links.GetValueOrDefault(userId);

    public void Put(ChatLink link) => _links[link.UserId] = link;

    public Task<PortalUser?> FindByChatUserAsync(long chatUserId, CancellationToken cancellationToken = default)
    {
        ThrowIfUnavailable();
        return Task.FromResult(_links.Values.FirstOrDefault(l => l.ChatUserId == chatUserId) is { } link ? users.Get(link.UserId) : null);
    }

    public Task<ChatLink?> FindLinkAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        ThrowIfUnavailable();
        return Task.FromResult(Get(userId));
    }

    public Task<IReadOnlyList<ChatLink>> FindLinksAsync(IReadOnlyCollection<Guid> userIds, CancellationToken cancellationToken = default)
    {
        ThrowIfUnavailable();
        return Task.FromResult<IReadOnlyList<ChatLink>>(userIds.Select(Get).OfType<ChatLink>().ToList());
    }

    public Task LinkAsync(ChatLink link, CancellationToken cancellationToken = default)
    {
        ThrowIfUnavailable();
        if (_links.Values.Any(l => l.ChatUserId == link.ChatUserId && l.UserId != link.UserId))
        {
            throw new DomainException("This Telegram account is already linked to another PortalOps user.");
        }

        Put(link);
        return Task.CompletedTask;
    }

    public Task<bool> UnlinkAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        ThrowIfUnavailable();
        return Task.FromResult(_links.TryRemove(userId, out _));
    }

    public Task<UserDirectoryHealth> CheckAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(new UserDirectoryHealth(Store, Unavailable is null, Unavailable));

    private void ThrowIfUnavailable()
    {
        if (Unavailable is { } problem)
        {
            throw new UserDirectoryUnavailableException(problem);
        }
    }
}

/// <summary>Linking codes in memory; remembers the last one issued.</summary>
public sealed class FakeLinkCodes(TimeProvider clock) : ILinkCodes
{
    private readonly ConcurrentDictionary<string, (Guid User, DateTimeOffset Expires)> _codes = new();

    public string? LastCode { get; private set; }

    public Task<(string Code, DateTimeOffset ExpiresAt)> IssueAsync(Guid userId, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        var code = "code" + Guid.NewGuid().ToString("N")[..12];
        var expires = clock.GetUtcNow() + lifetime;
        _codes[code] = (userId, expires);
        LastCode = code;
        return Task.FromResult((code, expires));
    }

    public Task<Guid?> ConsumeAsync(string code, CancellationToken cancellationToken = default) =>
        Task.FromResult(_codes.TryRemove(code, out var entry) && entry.Expires > clock.GetUtcNow() ? entry.User : (Guid?)null);
}

public sealed class FakePreferenceStore : IPreferenceStore
{
    private readonly ConcurrentDictionary<Guid, NotificationPreferences> _saved = new();

    public NotificationPreferences? Saved(Guid userId) => _saved.GetValueOrDefault(userId);

    public Task<NotificationPreferences> GetAsync(Guid userId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Saved(userId) ?? NotificationPreferences.Default);

    public Task<IReadOnlyDictionary<Guid, NotificationPreferences>> GetManyAsync(IReadOnlyCollection<Guid> userIds, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<Guid, NotificationPreferences>>(userIds.Where(_saved.ContainsKey).ToDictionary(id => id, id => _saved[id]));

    public Task SaveAsync(Guid userId, NotificationPreferences preferences, CancellationToken cancellationToken = default)
    {
        if (preferences.Problem() is { } problem)
        {
            throw new DomainException(problem);
        }

        _saved[userId] = preferences;
        return Task.CompletedTask;
    }
}

public sealed class FakeTelegramGroups : ITelegramGroups
{
    private readonly ConcurrentDictionary<long, AllowedGroup> _groups = new();

    public Task<IReadOnlyList<AllowedGroup>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<AllowedGroup>>(_groups.Values.OrderBy(g => g.ChatId).ToList());

    public Task<bool> IsAllowedAsync(long chatId, CancellationToken cancellationToken = default) => Task.FromResult(_groups.ContainsKey(chatId));

    public Task<string?> AllowAsync(Actor actor, long chatId, string? title, CancellationToken cancellationToken = default)
    {
        if (chatId >= 0)
        {
            return Task.FromResult<string?>("A group chat id is negative.");
        }

        _groups[chatId] = new AllowedGroup(chatId, title ?? $"Group {chatId}", actor.Name, DateTimeOffset.UnixEpoch);
        return Task.FromResult<string?>(null);
    }

    public Task<string?> RemoveAsync(Actor actor, long chatId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_groups.TryRemove(chatId, out _) ? null : "That group is not on the list.");
}
