using Microsoft.Extensions.Options;
using MimeKit;

namespace PortalOps.Jobs.Mail;

/// <summary>How a connection to the mail server is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>TLS on connect for port 465, otherwise STARTTLS when the server offers it.</summary>
    Auto,

    /// <summary>No TLS (a relay on the same host or a private network only).</summary>
    None,

    /// <summary>STARTTLS, required.</summary>
    StartTls,

    /// <summary>TLS from the first byte (usually port 465).</summary>
    SslOnConnect,
}

/// <summary>
/// The mail server (section "Smtp"). E-mail is sent only when <see cref="Host"/> and <see cref="From"/> are set. The password
/// is a secret: it comes from the deployment's secret store (for instance <c>Smtp__Password</c>), is never logged and never
/// shown.
/// </summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;

    /// <summary>Sign in with this user name; no sign-in when unset.</summary>
    public string? UserName { get; set; }

    /// <summary>Secret: never logged, never shown.</summary>
    public string? Password { get; set; }

    /// <summary>The sender, "portal@example.com" or "PortalOps &lt;portal@example.com&gt;".</summary>
    public string? From { get; set; }

    public int TimeoutSeconds { get; set; } = 60;

    public bool Configured => !string.IsNullOrWhiteSpace(Host) && !string.IsNullOrWhiteSpace(From);

    /// <summary>Whether <paramref name="address"/> reads as one mailbox ("a@b.c" or "Name &lt;a@b.c&gt;").</summary>
    public static bool IsAddress(string? address)
    {
        if (string.IsNullOrWhiteSpace(address) || !MailboxAddress.TryParse(address.Trim(), out var parsed))
        {
            return false;
        }

        var at = parsed.Address.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at < parsed.Address.Length - 1;
    }
}

/// <summary>Checks the mail settings at start; each message names the key to fix, never the password's value.</summary>
public sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions o)
    {
        const string S = SmtpOptions.Section;
        var errors = new List<string>();
        var anySet = !string.IsNullOrWhiteSpace(o.Host) || !string.IsNullOrWhiteSpace(o.From) || !string.IsNullOrWhiteSpace(o.UserName) || !string.IsNullOrEmpty(o.Password);
        if (!anySet)
        {
            return ValidateOptionsResult.Success;
        }

        if (string.IsNullOrWhiteSpace(o.Host))
        {
            errors.Add($"{S}:Host is not set, but other {S} settings are: name the mail server, or remove the {S} settings.");
        }

        if (string.IsNullOrWhiteSpace(o.From))
        {
            errors.Add($"{S}:From is not set: name the sender address the reports come from.");
        }
        else if (!SmtpOptions.IsAddress(o.From))
        {
            errors.Add($"{S}:From '{o.From}' is not an e-mail address.");
        }

        if (o.Port is < 1 or > 65535)
        {
            errors.Add($"{S}:Port must be 1–65535 (587 for STARTTLS, 465 for TLS on connect).");
        }

        if (!Enum.IsDefined(o.Security))
        {
            errors.Add($"{S}:Security must be Auto, None, StartTls or SslOnConnect.");
        }

        if (string.IsNullOrEmpty(o.Password) != string.IsNullOrWhiteSpace(o.UserName))
        {
            errors.Add(string.IsNullOrWhiteSpace(o.UserName)
                ? $"{S}:Password is set without {S}:UserName."
                : $"{S}:UserName is set without {S}:Password (set it from the secret store, for instance Smtp__Password).");
        }

        if (o.TimeoutSeconds is < 5 or > 600)
        {
            errors.Add($"{S}:TimeoutSeconds must be 5–600.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
