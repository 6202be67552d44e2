using PortalOps.Domain.Common;

namespace PortalOps.Domain.Security;

/// <summary>A person who uses PortalOps, with one role and the scopes it applies to.</summary>
public sealed class PortalUser
{
    private readonly List<Scope> _scopes = [];

    private PortalUser()
    {
        UserName = string.Empty;
        DisplayName = string.Empty;
    }

    /// <summary>The longest display name, in characters: it heads pages, menus and chat messages.</summary>
    public const int MaxDisplayNameLength = 64;

    public PortalUser(Guid id, string userName, string displayName, Role role, IEnumerable<Scope> scopes, DateTimeOffset createdAt)
    {
        if (string.IsNullOrWhiteSpace(userName) || userName.Length > 64 || userName.Any(char.IsWhiteSpace))
        {
            throw new DomainException("A user name is 1 to 64 characters without spaces.");
        }

        if (DisplayNameProblem(displayName) is { } problem)
        {
            throw new DomainException(problem);
        }

        Id = id;
        UserName = userName.Trim();
        DisplayName = string.IsNullOrWhiteSpace(displayName) ? UserName : displayName.Trim();
        Role = role;
        _scopes.AddRange(scopes);
        CreatedAt = createdAt;
    }

    public Guid Id { get; private set; }

    public string UserName { get; private set; }

    public string DisplayName { get; private set; }

    public Role Role { get; private set; }

    public IReadOnlyList<Scope> Scopes => _scopes;

    /// <summary>A password hash in the host's format; never the password.</summary>
    public string? PasswordHash { get; private set; }

    /// <summary>Base32 TOTP secret, present only once TOTP is turned on.</summary>
    public string? TotpSecret { get; private set; }

    /// <summary>The identity provider's subject for users who log in with OpenID Connect.</summary>
    public string? ExternalSubject { get; private set; }

    public bool IsDisabled { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? LastLoginAt { get; private set; }

    /// <summary>Increases whenever the user's rights or credentials change; open sessions with an older stamp end.</summary>
    public int SecurityStamp { get; private set; }

    /// <summary>The last TOTP time step a code was accepted for; a code for this step or an earlier one is refused (no replay).</summary>
    public long? TotpLastStep { get; private set; }

    /// <summary>The stored row's version when this copy was read; a store refuses to save over a newer one.</summary>
    public int Version { get; private set; }

    public static PortalUser FromStore(
        Guid id, string userName, string displayName, Role role, IEnumerable<Scope> scopes, DateTimeOffset createdAt,
        string? passwordHash, string? totpSecret, string? externalSubject, bool isDisabled, DateTimeOffset? lastLoginAt, int securityStamp,
        long? totpLastStep = null, int version = 0)
    {
        var user = new PortalUser(id, userName, displayName, role, scopes, createdAt)
        {
            PasswordHash = passwordHash,
            TotpSecret = totpSecret,
            ExternalSubject = externalSubject,
            IsDisabled = isDisabled,
            LastLoginAt = lastLoginAt,
            SecurityStamp = securityStamp,
            TotpLastStep = totpLastStep,
            Version = version,
        };
        return user;
    }

    public void SetPasswordHash(string hash)
    {
        PasswordHash = hash;
        SecurityStamp++;
    }

    /// <summary>Turns TOTP on with a secret whose code for <paramref name="usedStep"/> was just entered (that code cannot be used again).</summary>
    public void EnableTotp(string secret, long? usedStep = null)
    {
        TotpSecret = secret;
        TotpLastStep = usedStep;
        SecurityStamp++;
    }

    public void DisableTotp()
    {
        TotpSecret = null;
        TotpLastStep = null;
        SecurityStamp++;
    }

    /// <summary>Called by a store once it saved this copy as <paramref name="version"/>.</summary>
    public void Saved(int version) => Version = version;

    public void LinkExternal(string subject) => ExternalSubject = subject;

    public void ChangeRole(Role role, IEnumerable<Scope> scopes)
    {
        Role = role;
        _scopes.Clear();
        _scopes.AddRange(scopes.Distinct());
        SecurityStamp++;
    }

    /// <summary>Sets the name pages show; an empty one falls back to the user name.</summary>
    public void Rename(string? displayName)
    {
        if (DisplayNameProblem(displayName) is { } problem)
        {
            throw new DomainException(problem);
        }

        DisplayName = string.IsNullOrWhiteSpace(displayName) ? UserName : displayName.Trim();
    }

    /// <summary>Null when the name may be used (empty means "use the user name"); otherwise a message for the field.</summary>
    public static string? DisplayNameProblem(string? displayName)
    {
        var name = displayName?.Trim() ?? string.Empty;
        return name.Length > MaxDisplayNameLength ? $"A display name has at most {MaxDisplayNameLength} characters ({name.Length} given)."
            : name.Any(char.IsControl) ? "A display name is one line of plain text."
            : null;
    }

    /// <summary>A name from elsewhere (an identity provider's claim) cut to fit: one line, at most <see cref="MaxDisplayNameLength"/> characters.</summary>
    public static string FitDisplayName(string displayName)
    {
        var line = new string(displayName.Where(c => !char.IsControl(c)).ToArray()).Trim();
        return line.Length > MaxDisplayNameLength ? line[..MaxDisplayNameLength].TrimEnd() : line;
    }

    public void Disable()
    {
        IsDisabled = true;
        SecurityStamp++;
    }

    public void Enable() => IsDisabled = false;

    public void RecordLogin(DateTimeOffset at) => LastLoginAt = at;

    public Actor AsActor(Channel channel) => new(Id, UserName, Role, _scopes.ToList(), channel);
}

/// <summary>Who is asking, through which channel: the input to every authorization decision.</summary>
public sealed record Actor(Guid UserId, string Name, Role Role, IReadOnlyList<Scope> Scopes, Channel Channel)
{
    /// <summary>The identity of scheduled jobs and the system itself; it can only do what a use case grants it explicitly.</summary>
    public static Actor System(Channel channel = Channel.Job) => new(Guid.Empty, "system", Role.Viewer, [], channel);

    public bool IsAtLeast(Role role) => Role >= role;

    public bool CanSee(string account, string region, IReadOnlyDictionary<string, string> tags) =>
        Scopes.Any(s => s.Covers(account, region, tags));
}

/// <summary>Stores users.</summary>
public interface IUserStore
{
    Task<PortalUser?> FindAsync(Guid id, CancellationToken cancellationToken = default);

    Task<PortalUser?> FindByNameAsync(string userName, CancellationToken cancellationToken = default);

    Task<PortalUser?> FindByExternalSubjectAsync(string subject, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PortalUser>> ListAsync(CancellationToken cancellationToken = default);

    Task<int> CountAsync(CancellationToken cancellationToken = default);

    Task AddAsync(PortalUser user, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves every field of <paramref name="user"/>, only if nobody saved the user since this copy was read
    /// (<see cref="PortalUser.Version"/>), and only if an enabled Admin remains afterwards. Throws <see cref="ConcurrencyConflictException"/>
    /// or <see cref="LastAdminException"/> otherwise; both checks and the write are one atomic step.
    /// </summary>
    Task UpdateAsync(PortalUser user, CancellationToken cancellationToken = default);

    /// <summary>Records a login time, touching nothing else, so a login never reverts a change an Admin made meanwhile.</summary>
    Task RecordLoginAsync(Guid userId, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks the TOTP time step <paramref name="step"/> as used, atomically: true only if no code for this or a later step
    /// was accepted before, so each code works once.
    /// </summary>
    Task<bool> TryUseTotpStepAsync(Guid userId, long step, CancellationToken cancellationToken = default);
}

