using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Web.Security;

public sealed record LoginResult(bool Succeeded, string? Error, ClaimsPrincipal? Principal, bool NeedsTotp = false);

/// <summary>Local accounts: first-start setup, password login with optional TOTP, password changes. Every refusal is audited.</summary>
public sealed class LocalAccounts(
    IUserStore users,
    ISetupTokenStore setupTokens,
    IAuditLog audit,
    IPasswordHasher<PortalUser> hasher,
    IOptions<AuthOptions> options,
    LoginThrottle throttle,
    TimeProvider clock)
{
    private const string BadCredentials = "The user name or password is not right.";

    public async Task<LoginResult> LoginAsync(string? userName, string? password, string? totpCode, CancellationToken cancellationToken = default)
    {
        userName = userName?.Trim() ?? string.Empty;
        if (!options.Value.LocalLogin)
        {
            return new LoginResult(false, "Local accounts are turned off; use single sign-on.", null);
        }

        if (userName.Length == 0 || string.IsNullOrEmpty(password))
        {
            return new LoginResult(false, "Enter your user name and password.", null);
        }

        var user = await users.FindByNameAsync(userName, cancellationToken);
        var throttleKey = LoginThrottle.KeyFor(user, userName);
        if (await throttle.IsLockedAsync(throttleKey, clock.GetUtcNow(), cancellationToken))
        {
            await AuditAsync(userName, null, "auth.login", AuditOutcome.Denied, "Too many failed attempts; locked for a while.", cancellationToken);
            return new LoginResult(false, "Too many failed attempts. Try again in a few minutes.", null);
        }

        if (user?.PasswordHash is null || user.IsDisabled
            || hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed)
        {
            await throttle.RecordFailureAsync(throttleKey, clock.GetUtcNow(), cancellationToken);
            await AuditAsync(userName, user?.Id, "auth.login", AuditOutcome.Denied, user?.IsDisabled == true ? "Account disabled." : "Wrong user name or password.", cancellationToken);
            return new LoginResult(false, BadCredentials, null);
        }

        if (user.TotpSecret is not null)
        {
            if (string.IsNullOrWhiteSpace(totpCode))
            {
                return new LoginResult(false, null, null, NeedsTotp: true);
            }

            // A code works once: its time step is recorded atomically, so a replayed (or raced) code is refused.
            var step = Totp.Match(user.TotpSecret, totpCode, clock.GetUtcNow());
            if (step is null || !await users.TryUseTotpStepAsync(user.Id, step.Value, cancellationToken))
            {
                await throttle.RecordFailureAsync(throttleKey, clock.GetUtcNow(), cancellationToken);
                await AuditAsync(userName, user.Id, "auth.login", AuditOutcome.Denied, step is null ? "Wrong authenticator code." : "Authenticator code already used.", cancellationToken);
                return new LoginResult(false, step is null ? "That authenticator code is not right." : "That authenticator code was already used; wait for the next one.", null, NeedsTotp: true);
            }
        }

        await throttle.ResetAsync(throttleKey, cancellationToken);

        // Only the login time is written: an Admin's change made since the read (disable, demotion) stays as it is,
        // and the new session's security stamp no longer matches, so it ends at once.
        await users.RecordLoginAsync(user.Id, clock.GetUtcNow(), cancellationToken);
        await AuditAsync(user.UserName, user.Id, "auth.login", AuditOutcome.Succeeded, "Local login.", cancellationToken);
        return new LoginResult(true, null, PortalClaims.Create(user, "local", clock.GetUtcNow()));
    }

    /// <summary>Creates the first Admin through the one-time setup link.</summary>
    public async Task<LoginResult> CompleteSetupAsync(string? token, string? userName, string? displayName, string? password, string? confirm, CancellationToken cancellationToken = default)
    {
        var problem = CheckPassword(password, confirm);
        if (problem is not null)
        {
            return new LoginResult(false, problem, null);
        }

        if (string.IsNullOrWhiteSpace(userName) || userName.Trim().Length > 64 || userName.Trim().Any(char.IsWhiteSpace))
        {
            return new LoginResult(false, "A user name is 1 to 64 characters without spaces.", null);
        }

        if (PortalUser.DisplayNameProblem(displayName) is { } nameProblem)
        {
            return new LoginResult(false, nameProblem, null);
        }

        if (await users.CountAsync(cancellationToken) > 0 || string.IsNullOrWhiteSpace(token) || !await setupTokens.ConsumeAsync(SetupTokenPurposes.FirstAdmin, token, cancellationToken))
        {
            await AuditAsync(userName.Trim(), null, "auth.setup", AuditOutcome.Denied, "Setup link missing, wrong, expired or already used.", cancellationToken);
            return new LoginResult(false, "This setup link is not valid: it is wrong, expired or already used. Restart PortalOps with no users to get a new one.", null);
        }

        var user = new PortalUser(Guid.NewGuid(), userName.Trim(), displayName ?? userName, Role.Admin, [Scope.Everything], clock.GetUtcNow());
        user.SetPasswordHash(hasher.HashPassword(user, password!));
        user.RecordLogin(clock.GetUtcNow());
        await users.AddAsync(user, cancellationToken);
        await AuditAsync(user.UserName, user.Id, "auth.setup", AuditOutcome.Succeeded, "First administrator created through the setup link.", cancellationToken);
        return new LoginResult(true, null, PortalClaims.Create(user, "local", clock.GetUtcNow()));
    }

    /// <summary>Creates a local user (Admin only; the caller checks).</summary>
    public async Task<PortalUser> CreateUserAsync(Actor admin, string userName, string displayName, Role role, IReadOnlyList<Scope> scopes, string password, CancellationToken cancellationToken = default)
    {
        var problem = CheckPassword(password, password);
        if (problem is not null)
        {
            throw new DomainException(problem);
        }

        if (await users.FindByNameAsync(userName.Trim(), cancellationToken) is not null)
        {
            throw new DomainException($"A user called '{userName.Trim()}' already exists.");
        }

        var user = new PortalUser(Guid.NewGuid(), userName, displayName, role, scopes, clock.GetUtcNow());
        user.SetPasswordHash(hasher.HashPassword(user, password));
        await users.AddAsync(user, cancellationToken);
        await AuditAsync(admin.Name, admin.UserId, "users.create", AuditOutcome.Succeeded, $"{user.UserName} as {role} on {string.Join(", ", scopes)}", cancellationToken, target: $"user:{user.UserName}");
        return user;
    }

    public async Task<string?> ChangePasswordAsync(PortalUser user, string? current, string? next, string? confirm, CancellationToken cancellationToken = default)
    {
        if (user.PasswordHash is null || hasher.VerifyHashedPassword(user, user.PasswordHash, current ?? string.Empty) == PasswordVerificationResult.Failed)
        {
            await AuditAsync(user.UserName, user.Id, "auth.password", AuditOutcome.Denied, "Current password wrong.", cancellationToken);
            return "The current password is not right.";
        }

        var problem = CheckPassword(next, confirm);
        if (problem is not null)
        {
            return problem;
        }

        user.SetPasswordHash(hasher.HashPassword(user, next!));
        try
        {
            await users.UpdateAsync(user, cancellationToken);
        }
        catch (ConcurrencyConflictException ex)
        {
            return ex.Message;
        }

        await AuditAsync(user.UserName, user.Id, "auth.password", AuditOutcome.Succeeded, "Password changed.", cancellationToken);
        return null;
    }

    public string? CheckPassword(string? password, string? confirm)
    {
        var min = options.Value.MinimumPasswordLength;
        if (string.IsNullOrEmpty(password) || password.Length < min)
        {
            return $"A password needs at least {min} characters.";
        }

        return password != confirm ? "The two passwords differ." : null;
    }

    private Task AuditAsync(string actor, Guid? actorId, string action, AuditOutcome outcome, string detail, CancellationToken cancellationToken, string? target = null) =>
        audit.AppendAsync(new AuditEvent(actor, actorId, Channel.Web, action, target ?? $"user:{actor}", outcome, detail), cancellationToken);
}

/// <summary>
/// Slows down password guessing: five failures within 15 minutes lock an account for 15 minutes. The count is kept in the
/// database (<see cref="EfLoginFailures"/>), shared by every node; it is keyed by the account, or for a name that belongs to none
/// by one of a fixed number of buckets, so invented names cannot grow it. Without the database (unit tests) it is kept in memory,
/// bounded the same way.
/// </summary>
public sealed class LoginThrottle
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    public const int MaxFailures = 5;
    private const int MemoryLimit = 10_000;
    private readonly EfLoginFailures? _store;
    private readonly ConcurrentDictionary<string, List<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    public LoginThrottle()
    {
    }

    public LoginThrottle(EfLoginFailures store) => _store = store;

    /// <summary>The key failures of this login count against: the account when the name has one, else the name's bucket.</summary>
    public static string KeyFor(PortalUser? user, string userName) =>
        user is null ? EfLoginFailures.ForUnknownName(userName) : EfLoginFailures.ForUser(user.Id);

    public async Task<bool> IsLockedAsync(string key, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (_store is not null)
        {
            return await _store.IsLockedAsync(key, now, cancellationToken);
        }

        if (!_failures.TryGetValue(key, out var list))
        {
            return false;
        }

        lock (list)
        {
            list.RemoveAll(t => now - t > Window);
            return list.Count >= MaxFailures;
        }
    }

    public async Task RecordFailureAsync(string key, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (_store is not null)
        {
            await _store.RecordFailureAsync(key, now, MaxFailures, Window, cancellationToken);
            return;
        }

        if (_failures.Count >= MemoryLimit && !_failures.ContainsKey(key))
        {
            _failures.Clear();
        }

        var list = _failures.GetOrAdd(key, _ => []);
        lock (list)
        {
            list.Add(now);
        }
    }

    public async Task ResetAsync(string key, CancellationToken cancellationToken = default)
    {
        if (_store is not null)
        {
            await _store.ResetAsync(key, cancellationToken);
            return;
        }

        _failures.TryRemove(key, out _);
    }
}
