using Amazon;
using Amazon.DynamoDBv2;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using PortalOps.Domain.Notifications;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Telegram.Approvals;
using PortalOps.Jobs.Telegram.Bot;
using PortalOps.Jobs.Telegram.Buttons;
using PortalOps.Jobs.Telegram.Groups;
using PortalOps.Jobs.Telegram.Linking;
using PortalOps.Jobs.Telegram.Notifications;
using PortalOps.Jobs.Telegram.Outbox;

namespace PortalOps.Jobs.Telegram;

public static class TelegramServiceCollectionExtensions
{
    /// <summary>The name of the HttpClient the bot uses. It has no logging handlers: request addresses carry the token.</summary>
    public const string HttpClientName = "telegram";

    /// <summary>
    /// The Telegram bot (section "Telegram"): options, the user directory (portal database or DynamoDB), linking, buttons, the
    /// outbound queue, the notifier (composed with the web inbox), the update handler and the polling / webhook service.
    /// Without <c>Telegram:Token</c> everything is registered but the bot stays off. Needs <see cref="JobsServiceCollectionExtensions.AddPersistence(IServiceCollection, IConfiguration, string)"/> first.
    /// </summary>
    public static IServiceCollection AddTelegram(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelegramOptions>().BindConfiguration(TelegramOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelegramOptions>, TelegramOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton<TelegramStatus>();
        services.TryAddSingleton<ILinkCodes, LinkCodes>();
        services.TryAddSingleton<ButtonStore>();
        services.TryAddSingleton<ApprovalMessages>();
        services.TryAddSingleton<ITelegramGroups, TelegramGroups>();
        services.TryAddSingleton<IPreferenceStore, PreferenceStore>();
        services.TryAddSingleton<TelegramOutbox>();
        services.TryAddSingleton<TelegramNotifier>();
        services.TryAddScoped<TelegramLinking>();

        // Every notification reaches the web inbox and, for linked people, Telegram.
        services.TryAddSingleton<InboxNotifier>();
        services.Replace(ServiceDescriptor.Singleton<INotifier>(sp =>
            new CompositeNotifier([sp.GetRequiredService<InboxNotifier>(), sp.GetRequiredService<TelegramNotifier>()])));

        var directory = configuration.GetSection($"{TelegramOptions.Section}:{nameof(TelegramOptions.Directory)}").Get<TelegramDirectoryOptions>() ?? new TelegramDirectoryOptions();

        // Without an endpoint of its own, the table is where every other AWS client goes (Aws:ServiceUrl, else AWS_ENDPOINT_URL, else AWS).
        if (string.IsNullOrWhiteSpace(directory.ServiceUrl))
        {
            directory.ServiceUrl = (configuration.GetSection(Aws.AwsOptions.Section).Get<Aws.AwsOptions>() ?? new Aws.AwsOptions()).EffectiveServiceUrl;
        }
        if (directory.UsesDynamoDb)
        {
            services.TryAddSingleton<IAmazonDynamoDB>(_ => CreateDynamoDb(directory));
            services.TryAddSingleton<IUserDirectory>(sp =>
                new DynamoDbUserDirectory(
                    sp.GetRequiredService<IAmazonDynamoDB>(), directory.TableName!, sp.GetRequiredService<IUserStore>(),
                    sp.GetRequiredService<ILogger<DynamoDbUserDirectory>>(), TimeSpan.FromSeconds(Math.Clamp(directory.TimeoutSeconds, 1, 60))));
        }
        else
        {
            services.TryAddSingleton<IUserDirectory, DatabaseUserDirectory>();
        }

        services.AddHttpClient(HttpClientName)
            .RemoveAllLoggers()
            .AddTypedClient<ITelegramBotClient>((http, sp) => CreateClient(sp.GetRequiredService<IOptions<TelegramOptions>>().Value, http));

        services.TryAddScoped<BotScreens>();
        services.TryAddScoped<CommandHandler>();
        services.TryAddScoped<CallbackHandler>();
        services.TryAddScoped<TelegramUpdateHandler>();
        services.AddHostedService<UserDirectoryStartup>();
        services.AddHostedService<TelegramOutboxService>();
        services.TryAddSingleton<PollerLease>();
        services.TryAddSingleton<TelegramPacer>();
        services.AddHostedService<TelegramBotService>();
        return services;
    }

    internal static ITelegramBotClient CreateClient(TelegramOptions options, HttpClient http)
    {
        if (!options.Enabled)
        {
            throw new InvalidOperationException("Telegram is off: Telegram:Token is not set.");
        }

        var baseUrl = string.IsNullOrWhiteSpace(options.ApiBaseUrl) ? null : options.ApiBaseUrl.TrimEnd('/');

        // 429s are the outbound queue's business (it holds the chat for retry_after), not the client's.
        return new TelegramBotClient(new TelegramBotClientOptions(options.Token!.Trim(), baseUrl) { RetryCount = 0 }, http);
    }

    private static AmazonDynamoDBClient CreateDynamoDb(TelegramDirectoryOptions directory)
    {
        // The directory's own deadline bounds each call (retries included); this, a little longer, keeps a hung connection from outliving it.
        var config = new AmazonDynamoDBConfig { Timeout = TimeSpan.FromSeconds(Math.Clamp(directory.TimeoutSeconds, 1, 60) + 1) };
        if (!string.IsNullOrWhiteSpace(directory.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(directory.Region);
        }

        if (!string.IsNullOrWhiteSpace(directory.ServiceUrl))
        {
            config.ServiceURL = directory.ServiceUrl;
            config.AuthenticationRegion = string.IsNullOrWhiteSpace(directory.Region) ? "us-east-1" : directory.Region;
        }

        return new AmazonDynamoDBClient(config);
    }
}
