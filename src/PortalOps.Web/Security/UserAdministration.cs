using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Security;

/// <summary>Scopes typed one per line, and what was wrong with the lines that are not scopes.</summary>
public sealed record ScopeLines(IReadOnlyList<Scope> Scopes, IReadOnlyList<string> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>The outcome of a change to a user, with the problems placed at the field they belong to.</summary>
public sealed record UserChange(bool Succeeded, string Message)
{
    public IReadOnlyList<string> ScopeErrors { get; init; } = [];

    public string? UserNameError { get; init; }

    public string? PasswordError { get; init; }

    public string? DisplayNameError { get; init; }

    public static UserChange Done(string message) => new(true, message);

    public static UserChange Refused(string message) => new(false, message);
}

/// <summary>
/// What an Admin may do to users, and the rules that keep PortalOps administrable: nobody demotes or disables themselves,
/// and the last enabled Admin stays an enabled Admin. Every change and every refusal is audited with the Admin as actor.
/// </summary>
public sealed class UserAdministration(IUserStore users, IAuditLog audit, LocalAccounts accounts)
{
    public const string NeedsAScope = "A user needs at least one scope";

    /// <summary>Reads one scope per line (blank lines ignored); each bad line is reported with its line number.</summary>
    public static ScopeLines ParseScopes(string? text)
    {
        var scopes = new List<Scope>();
        var errors = new List<string>();
        var lines = (text ?? string.Empty).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (Scope.TryParse(line, out var scope, out var error))
            {
                if (!scopes.Contains(scope))
                {
                    scopes.Add(scope);
                }
            }
            else
            {
                errors.Add($"Line {i + 1}: {error}");
            }
        }

        if (errors.Count == 0 && scopes.Count == 0)
        {
            errors.Add(NeedsAScope);
        }

        return new ScopeLines(scopes, errors);
    }

    /// <summary>The text an editor starts from: one scope per line.</summary>
    public static string FormatScopes(IEnumerable<Scope> scopes) => string.Join('\n', scopes.Select(s => s.ToString()));

    public async Task<UserChange> UpdateAsync(Actor admin, Guid userId, Role role, string? scopesText, CancellationToken cancellationToken = default)
    {
        if (await RefuseNonAdminAsync(admin, "users.update", $"user:{userId}", cancellationToken) is { } refused)
        {
            return refused;
        }

        var parsed = ParseScopes(scopesText);
        if (!parsed.IsValid)
        {
            return new UserChange(false, "Some scopes are not valid.") { ScopeErrors = parsed.Errors };
        }

        var user = await users.FindAsync(userId, cancellationToken);
        if (user is null)
        {
            return UserChange.Refused("That user no longer exists.");
        }

        if (role == user.Role && user.Scopes.ToHashSet().SetEquals(parsed.Scopes))
        {
            return UserChange.Done($"Nothing changed for {user.UserName}.");
        }

        if (role < Role.Admin && user.Role == Role.Admin)
        {
            var problem = await IsLastEnabledAdminAsync(user, cancellationToken)
                ? $"{user.UserName} is the last enabled Admin and cannot be demoted; make someone else Admin first."
                : user.Id == admin.UserId
                    ? "You cannot demote yourself; ask another Admin."
                    : null;
            if (problem is not null)
            {
                await AuditAsync(admin, "users.update", user, AuditOutcome.Denied, problem, cancellationToken);
                return UserChange.Refused(problem);
            }
        }

        var before = $"{user.Role} on {string.Join(", ", user.Scopes)}";
        user.ChangeRole(role, parsed.Scopes);
        if (await SaveAsync(admin, "users.update", user, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        await AuditAsync(admin, "users.update", user, AuditOutcome.Succeeded, $"{before} → {user.Role} on {string.Join(", ", user.Scopes)}", cancellationToken);
        return UserChange.Done($"{user.UserName} is now {user.Role} on {string.Join(", ", user.Scopes)}.");
    }

    /// <summary>Changes a display name: a person their own, an Admin anyone's. Audited with the old and the new name.</summary>
    public async Task<UserChange> RenameAsync(Actor actor, Guid userId, string? displayName, CancellationToken cancellationToken = default)
    {
        if (actor.UserId != userId && await RefuseNonAdminAsync(actor, "users.rename", $"user:{userId}", cancellationToken) is { } refused)
        {
            return refused;
        }

        if (PortalUser.DisplayNameProblem(displayName) is { } problem)
        {
            return new UserChange(false, problem) { DisplayNameError = problem };
        }

        var user = await users.FindAsync(userId, cancellationToken);
        if (user is null)
        {
            return UserChange.Refused("That user no longer exists.");
        }

        var before = user.DisplayName;
        user.Rename(displayName);
        if (before == user.DisplayName)
        {
            return UserChange.Done($"Nothing changed for {user.UserName}.");
        }

        if (await SaveAsync(actor, "users.rename", user, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        await AuditAsync(actor, "users.rename", user, AuditOutcome.Succeeded, $"{before} → {user.DisplayName}", cancellationToken);
        return UserChange.Done($"{user.UserName} is now shown as {user.DisplayName}.");
    }

    public async Task<UserChange> DisableAsync(Actor admin, Guid userId, CancellationToken cancellationToken = default)
    {
        if (await RefuseNonAdminAsync(admin, "users.disable", $"user:{userId}", cancellationToken) is { } refused)
        {
            return refused;
        }

        var user = await users.FindAsync(userId, cancellationToken);
        if (user is null)
        {
            return UserChange.Refused("That user no longer exists.");
        }

        if (user.IsDisabled)
        {
            return UserChange.Done($"{user.UserName} is already disabled.");
        }

        var problem = await IsLastEnabledAdminAsync(user, cancellationToken)
            ? $"{user.UserName} is the last enabled Admin and cannot be disabled; make someone else Admin first."
            : user.Id == admin.UserId
                ? "You cannot disable your own account."
                : null;
        if (problem is not null)
        {
            await AuditAsync(admin, "users.disable", user, AuditOutcome.Denied, problem, cancellationToken);
            return UserChange.Refused(problem);
        }

        user.Disable();
        if (await SaveAsync(admin, "users.disable", user, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        await AuditAsync(admin, "users.disable", user, AuditOutcome.Succeeded, "enabled → disabled", cancellationToken);
        return UserChange.Done($"{user.UserName} is disabled; their open sessions end.");
    }

    public async Task<UserChange> EnableAsync(Actor admin, Guid userId, CancellationToken cancellationToken = default)
    {
        if (await RefuseNonAdminAsync(admin, "users.enable", $"user:{userId}", cancellationToken) is { } refused)
        {
            return refused;
        }

        var user = await users.FindAsync(userId, cancellationToken);
        if (user is null)
        {
            return UserChange.Refused("That user no longer exists.");
        }

        if (!user.IsDisabled)
        {
            return UserChange.Done($"{user.UserName} is already enabled.");
        }

        user.Enable();
        if (await SaveAsync(admin, "users.enable", user, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        await AuditAsync(admin, "users.enable", user, AuditOutcome.Succeeded, "disabled → enabled", cancellationToken);
        return UserChange.Done($"{user.UserName} is enabled.");
    }

    /// <summary>Creates a local account; <see cref="LocalAccounts.CreateUserAsync"/> writes the <c>users.create</c> audit event.</summary>
    public async Task<UserChange> CreateAsync(
        Actor admin, string? userName, string? displayName, Role role, string? scopesText, string? password, string? confirm, CancellationToken cancellationToken = default)
    {
        if (await RefuseNonAdminAsync(admin, "users.create", $"user:{userName}", cancellationToken) is { } refused)
        {
            return refused;
        }

        var name = userName?.Trim() ?? string.Empty;
        var nameError = name.Length is 0 or > 64 || name.Any(char.IsWhiteSpace) ? "A user name is 1 to 64 characters without spaces." : null;
        var parsed = ParseScopes(scopesText);
        var passwordError = accounts.CheckPassword(password, confirm);
        var displayNameError = PortalUser.DisplayNameProblem(displayName);
        if (nameError is not null || !parsed.IsValid || passwordError is not null || displayNameError is not null)
        {
            return new UserChange(false, "Fix the marked fields.") { UserNameError = nameError, ScopeErrors = parsed.Errors, PasswordError = passwordError, DisplayNameError = displayNameError };
        }

        try
        {
            var user = await accounts.CreateUserAsync(admin, name, displayName ?? name, role, parsed.Scopes, password!, cancellationToken);
            return UserChange.Done($"{user.UserName} was created as {user.Role}.");
        }
        catch (DomainException ex)
        {
            return new UserChange(false, ex.Message) { UserNameError = ex.Message.Contains("already exists", StringComparison.Ordinal) ? ex.Message : null };
        }
    }

    /// <summary>
    /// Saves the change; the store refuses it atomically when someone changed the user meanwhile or when it would leave no
    /// enabled Admin (the check above only gives the friendlier message). A refusal is audited and returned.
    /// </summary>
    private async Task<UserChange?> SaveAsync(Actor admin, string action, PortalUser user, CancellationToken cancellationToken)
    {
        try
        {
            await users.UpdateAsync(user, cancellationToken);
            return null;
        }
        catch (Exception ex) when (ex is LastAdminException or ConcurrencyConflictException)
        {
            await AuditAsync(admin, action, user, AuditOutcome.Denied, ex.Message, cancellationToken);
            return UserChange.Refused(ex.Message);
        }
    }

    private async Task<bool> IsLastEnabledAdminAsync(PortalUser user, CancellationToken cancellationToken)
    {
        if (user.Role != Role.Admin || user.IsDisabled)
        {
            return false;
        }

        var all = await users.ListAsync(cancellationToken);
        return !all.Any(u => u.Id != user.Id && u.Role == Role.Admin && !u.IsDisabled);
    }

    private async Task<UserChange?> RefuseNonAdminAsync(Actor admin, string action, string target, CancellationToken cancellationToken)
    {
        var decision = Authorizer.AuthorizeAdministration(admin, "managing users");
        if (decision.Allowed)
        {
            return null;
        }

        var message = decision.Reason!;
        await audit.AppendAsync(new AuditEvent(admin.Name, admin.UserId, admin.Channel, action, target, AuditOutcome.Denied, message), cancellationToken);
        return UserChange.Refused(message);
    }

    private Task AuditAsync(Actor admin, string action, PortalUser user, AuditOutcome outcome, string detail, CancellationToken cancellationToken) =>
        audit.AppendAsync(new AuditEvent(admin.Name, admin.UserId, admin.Channel, action, $"user:{user.UserName}", outcome, detail), cancellationToken);
}
