using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Types;
using PortalOps.Jobs.Telegram;
using PortalOps.Jobs.Telegram.Bot;

namespace PortalOps.Web.Endpoints;

/// <summary>
/// <c>POST /telegram/webhook</c>: Telegram's calls in webhook mode. A call without the right <c>X-Telegram-Bot-Api-Secret-Token</c>
/// is refused with 401 before anything is read or done (constant-time comparison); a right one is handled in this request's scope
/// by the same update handler that long polling uses. An update whose sender the user directory cannot look up now is answered
/// 503, so that Telegram delivers it again.
/// </summary>
public static class TelegramWebhook
{
    public const string Path = "/telegram/webhook";
    public const string SecretHeader = "X-Telegram-Bot-Api-Secret-Token";

    private const long MaxBody = 1024 * 1024;

    public static IEndpointRouteBuilder MapTelegramWebhook(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, HandleAsync).AllowAnonymous().DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> HandleAsync(HttpContext context, IOptions<TelegramOptions> options, IServiceProvider services)
    {
        var settings = options.Value;
        if (!settings.Enabled || !settings.UsesWebhook)
        {
            return Results.Text("The Telegram webhook is not in use.", statusCode: StatusCodes.Status404NotFound);
        }

        if (!SecretMatches(context.Request.Headers[SecretHeader].ToString(), TelegramStatus.WebhookSecret(settings)))
        {
            return Results.Text("Wrong or missing secret token.", statusCode: StatusCodes.Status401Unauthorized);
        }

        if (context.Request.ContentLength is > MaxBody)
        {
            return Results.Text("Too large.", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        Update? update;
        try
        {
            update = await JsonSerializer.DeserializeAsync<Update>(context.Request.Body, JsonBotAPI.Options, context.RequestAborted);
        }
        catch (JsonException)
        {
            return Results.Text("Not an update.", statusCode: StatusCodes.Status400BadRequest);
        }

        if (update is not null
            && await services.GetRequiredService<TelegramUpdateHandler>().HandleAsync(update, context.RequestAborted) == UpdateOutcome.RetryLater)
        {
            // The user directory could not say who sent it: Telegram sends it again later (the person has been told once).
            return Results.Text("The user directory is temporarily unavailable; send this update again later.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return Results.Ok();
    }

    internal static bool SecretMatches(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(given)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
