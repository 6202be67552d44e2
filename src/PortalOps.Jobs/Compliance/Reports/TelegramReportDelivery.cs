using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using PortalOps.Domain.Compliance.Reports;

namespace PortalOps.Jobs.Compliance.Reports;

/// <summary>
/// Sends a report to a Telegram chat as a document (sendDocument) with the bot's typed client. One document per schedule and
/// period, so Telegram's limits are far off; the job needs the outcome to record delivery, so this does not queue behind the
/// message outbox. A 429 or a network error is reported as a problem and the next run of the schedule tries again.
/// </summary>
public sealed class TelegramReportDelivery(ITelegramBotClient client) : IReportDelivery
{
    public async Task<string?> SendAsync(long chatId, string fileName, byte[] content, string caption, CancellationToken cancellationToken = default)
    {
        try
        {
            using var stream = new MemoryStream(content, writable: false);
            await client.SendDocument(chatId, InputFile.FromStream(stream, fileName), caption: caption, cancellationToken: cancellationToken);
            return null;
        }
        catch (ApiRequestException ex)
        {
            return $"Telegram refused the document ({ex.ErrorCode}: {ex.Message}).";
        }
        catch (Exception ex) when (ex is RequestException or HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return $"Telegram could not be reached ({ex.GetType().Name}).";
        }
    }
}
