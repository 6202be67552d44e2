using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using PortalOps.Domain.Compliance.Reports;

namespace PortalOps.Jobs.Mail;

/// <summary>
/// E-mails a report as a PDF attachment through the configured mail server (MailKit): one message to every recipient, one
/// connection per report. What went wrong is returned for the report's record and the next run tries again; neither that text
/// nor any log line holds the password.
/// </summary>
public sealed partial class SmtpReportMailer(IOptions<SmtpOptions> options, ILogger<SmtpReportMailer> logger) : IReportMailer
{
    public async Task<string?> SendAsync(IReadOnlyList<string> to, string subject, string body, string fileName, byte[] content, CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        if (!o.Configured)
        {
            return $"E-mail is not configured ({SmtpOptions.Section}:Host, {SmtpOptions.Section}:From).";
        }

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(o.From!.Trim()));
        foreach (var address in to)
        {
            message.To.Add(MailboxAddress.Parse(address.Trim()));
        }

        message.Subject = subject;
        var parts = new BodyBuilder { TextBody = body };
        parts.Attachments.Add(fileName, content, new ContentType("application", "pdf"));
        message.Body = parts.ToMessageBody();

        var where = $"{o.Host}:{o.Port}";
        using var client = new SmtpClient { Timeout = (int)TimeSpan.FromSeconds(o.TimeoutSeconds).TotalMilliseconds };
        string? problem;
        try
        {
            await client.ConnectAsync(o.Host!.Trim(), o.Port, ToMailKit(o.Security), cancellationToken);
            if (!string.IsNullOrWhiteSpace(o.UserName))
            {
                await client.AuthenticateAsync(o.UserName.Trim(), o.Password ?? string.Empty, cancellationToken);
            }

            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            LogSent(logger, fileName, to.Count, where);
            return null;
        }
        catch (AuthenticationException)
        {
            problem = $"The mail server {where} refused the sign-in of {o.UserName?.Trim()}.";
        }
        catch (SmtpCommandException ex)
        {
            problem = ex.ErrorCode switch
            {
                SmtpErrorCode.RecipientNotAccepted => $"The mail server {where} refused the recipient {ex.Mailbox?.Address} ({(int)ex.StatusCode}).",
                SmtpErrorCode.SenderNotAccepted => $"The mail server {where} refused the sender {ex.Mailbox?.Address} ({(int)ex.StatusCode}).",
                _ => $"The mail server {where} refused the message ({(int)ex.StatusCode}: {ex.Message}).",
            };
        }
        catch (Exception ex) when (ex is SmtpProtocolException or SslHandshakeException or SocketException or IOException or ServiceNotConnectedException
                                       or OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            problem = $"The mail server {where} could not be reached ({ex.GetType().Name}).";
        }

        // A server may echo what it was sent; the password never leaves this class.
        if (!string.IsNullOrEmpty(o.Password))
        {
            problem = problem.Replace(o.Password, "***", StringComparison.Ordinal);
        }

        LogFailed(logger, fileName, where, problem);
        return problem;
    }

    private static SecureSocketOptions ToMailKit(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "E-mailed {FileName} to {Recipients} recipient(s) through {Server}.")]
    private static partial void LogSent(ILogger logger, string fileName, int recipients, string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not e-mail {FileName} through {Server}: {Problem}")]
    private static partial void LogFailed(ILogger logger, string fileName, string server, string problem);
}
