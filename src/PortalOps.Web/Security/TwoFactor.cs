using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Security;

/// <summary>
/// Turns a user's authenticator (TOTP) on and off. A new secret is saved only once a code made from it is right,
/// and turning it off needs a current code, so a walked-away session cannot remove the second factor. Both are audited.
/// </summary>
public sealed class TwoFactor(IUserStore users, IAuditLog audit, TimeProvider clock)
{
    public const string Issuer = "PortalOps";

    public const string WrongCode = "That code is not right. Check the authenticator's clock and enter the current 6-digit code.";

    /// <summary>A fresh secret and the <c>otpauth://</c> URI an authenticator app reads.</summary>
    public static (string Secret, string Uri) Begin(string userName)
    {
        var secret = Totp.NewSecret();
        return (secret, Totp.ProvisioningUri(Issuer, userName, secret));
    }

    /// <summary>Saves <paramref name="secret"/> if <paramref name="code"/> matches it now; returns the problem, or null when saved.</summary>
    public async Task<string?> EnableAsync(Guid userId, string secret, string? code, CancellationToken cancellationToken = default)
    {
        var user = await users.FindAsync(userId, cancellationToken);
        if (user is null)
        {
            return "Your account no longer exists.";
        }

        if (user.TotpSecret is not null)
        {
            return "The authenticator is already on.";
        }

        var step = Totp.Match(secret, code, clock.GetUtcNow());
        if (step is null)
        {
            await AuditAsync(user, "auth.totp.enable", AuditOutcome.Denied, "Confirmation code wrong; authenticator left off.", cancellationToken);
            return WrongCode;
        }

        user.EnableTotp(secret, step);
        try
        {
            await users.UpdateAsync(user, cancellationToken);
        }
        catch (ConcurrencyConflictException ex)
        {
            return ex.Message;
        }

        await AuditAsync(user, "auth.totp.enable", AuditOutcome.Succeeded, "off → on", cancellationToken);
        return null;
    }

    /// <summary>Removes the secret if <paramref name="code"/> matches the current one; returns the problem, or null when removed.</summary>
    public async Task<string?> DisableAsync(Guid userId, string? code, CancellationToken cancellationToken = default)
    {
        var user = await users.FindAsync(userId, cancellationToken);
        if (user is null)
        {
            return "Your account no longer exists.";
        }

        if (user.TotpSecret is null)
        {
            return "The authenticator is already off.";
        }

        var step = Totp.Match(user.TotpSecret, code, clock.GetUtcNow());
        if (step is null || !await users.TryUseTotpStepAsync(user.Id, step.Value, cancellationToken))
        {
            await AuditAsync(user, "auth.totp.disable", AuditOutcome.Denied, step is null ? "Code wrong; authenticator left on." : "Code already used; authenticator left on.", cancellationToken);
            return WrongCode;
        }

        user.DisableTotp();
        try
        {
            await users.UpdateAsync(user, cancellationToken);
        }
        catch (ConcurrencyConflictException ex)
        {
            return ex.Message;
        }

        await AuditAsync(user, "auth.totp.disable", AuditOutcome.Succeeded, "on → off", cancellationToken);
        return null;
    }

    private Task AuditAsync(PortalUser user, string action, AuditOutcome outcome, string detail, CancellationToken cancellationToken) =>
        audit.AppendAsync(new AuditEvent(user.UserName, user.Id, Channel.Web, action, $"user:{user.UserName}", outcome, detail), cancellationToken);
}
