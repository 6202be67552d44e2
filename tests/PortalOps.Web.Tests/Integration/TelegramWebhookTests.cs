using System.Net;
using System.Text;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram;
using PortalOps.Jobs.Telegram.Bot;
using PortalOps.Jobs.Tests.Telegram;
using PortalOps.Web.Endpoints;
using PortalOps.Web.Tests.Fakes;

namespace PortalOps.Web.Tests.Integration;

/// <summary>The webhook on the whole host: Telegram's calls are accepted only with the secret token the bot registered.</summary>
public sealed class TelegramWebhookTests : IAsyncLifetime
{
    private BotApiServer _api = null!;
    private PortalFactory _portal = null!;

    public async Task InitializeAsync()
    {
        _api = await BotApiServer.StartAsync();
        _portal = new PortalFactory()
            .With("Telegram:Token", BotApiServer.Token)
            .With("Telegram:ApiBaseUrl", _api.BaseUrl)
            .With("Telegram:WebhookUrl", "https://portal.example.com/telegram/webhook")
            .With("Telegram:Outbox:ChatInterval", "00:00:00");
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong-secret")]
    public async Task Webhook_WrongOrMissingSecret_401AndNothingHandled(string? secret)
    {
        var client = _portal.AnonymousClient();

        var response = await client.SendAsync(Post(secret, "/start sneaky"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await Task.Delay(300);
        Assert.Empty(_api.CallsOf("sendMessage"));
        Assert.Equal(0, _portal.Services.GetRequiredService<TelegramStatus>().UpdatesHandled);
        Assert.Empty((await _portal.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { Action = "telegram.link" })).Items);
    }

    [Fact]
    public async Task Webhook_RightSecret_HandledAndAnswered()
    {
        var client = _portal.AnonymousClient();
        var secret = TelegramStatus.WebhookSecret(_portal.Services.GetRequiredService<IOptions<TelegramOptions>>().Value);

        var response = await client.SendAsync(Post(secret, "/help"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _api.WaitForTextAsync(555, "PortalOps bot");
        Assert.Equal(1, _portal.Services.GetRequiredService<TelegramStatus>().UpdatesHandled);
    }

    [Fact]
    public async Task Start_WebhookMode_RegistersTheWebhookWithTheSecretTheEndpointChecks()
    {
        _ = _portal.Services;
        var until = DateTimeOffset.UtcNow.AddSeconds(10);
        while (_api.WebhookSecret is null && DateTimeOffset.UtcNow < until)
        {
            await Task.Delay(20);
        }

        var response = await _portal.AnonymousClient().SendAsync(Post(_api.WebhookSecret, "/help"));

        Assert.Equal("https://portal.example.com/telegram/webhook", _api.WebhookUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Webhook_UserDirectoryUnavailable_503UntilItIsBackThenAnsweredAndThePersonToldOnce()
    {
        var directory = new FakeUserDirectory(new FakeUserStore()) { Unavailable = "The Telegram user directory (DynamoDB table 'links') is unavailable: the table does not exist." };
        await using var portal = _portal.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.Replace(ServiceDescriptor.Singleton<IUserDirectory>(directory))));
        var client = portal.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var secret = TelegramStatus.WebhookSecret(portal.Services.GetRequiredService<IOptions<TelegramOptions>>().Value);

        var first = await client.SendAsync(Post(secret, "/help"));
        await _api.WaitForTextAsync(555, "temporarily unavailable");
        var again = await client.SendAsync(Post(secret, "/help"));

        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable), (first.StatusCode, again.StatusCode));
        directory.Unavailable = null;
        var afterwards = await client.SendAsync(Post(secret, "/help"));

        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
        await _api.WaitForTextAsync(555, "PortalOps bot");
        Assert.Single(_api.MessagesIn(555), m => m.Text.Contains("temporarily unavailable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Webhook_RightSecretButNotAnUpdate_400AndNothingHandled()
    {
        var secret = TelegramStatus.WebhookSecret(_portal.Services.GetRequiredService<IOptions<TelegramOptions>>().Value);
        using var request = new HttpRequestMessage(HttpMethod.Post, TelegramWebhook.Path) { Content = new StringContent("{\"update_id\": \"x\", [", Encoding.UTF8, "application/json") };
        request.Headers.Add(TelegramWebhook.SecretHeader, secret);

        var response = await _portal.AnonymousClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, _portal.Services.GetRequiredService<TelegramStatus>().UpdatesHandled);
    }

    [Fact]
    public async Task Profile_TelegramOn_OffersToLinkAndNeverShowsTheToken()
    {
        await _portal.CreateUserAsync("olga", PortalOps.Domain.Security.Role.Operator);
        var client = await _portal.LoginAsync("olga");

        var html = await client.GetStringAsync("/profile");

        Assert.Contains("Link Telegram", html, StringComparison.Ordinal);
        Assert.DoesNotContain(BotApiServer.Token, html, StringComparison.Ordinal);
    }

    private HttpRequestMessage Post(string? secret, string text)
    {
        var update = _api.MessageUpdate(new TelegramUser(555, "Someone"), text);
        update["update_id"] = 1;
        var request = new HttpRequestMessage(HttpMethod.Post, TelegramWebhook.Path)
        {
            Content = new StringContent(update.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (secret is not null)
        {
            request.Headers.Add(TelegramWebhook.SecretHeader, secret);
        }

        return request;
    }
}
