using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram;
using PortalOps.Jobs.Telegram.Linking;

namespace PortalOps.Jobs.Tests.Telegram;

public sealed class TelegramOptionsTests
{
    [Fact]
    public void Validate_BadValues_MessagesNameTheKeysAndNeverTheToken()
    {
        var failures = Validate(new Dictionary<string, string?>
        {
            ["Telegram:Token"] = "not a token but a secret",
            ["Telegram:ApiBaseUrl"] = "localhost:8081",
            ["Telegram:WebhookUrl"] = "/telegram/webhook",
            ["Telegram:WebhookSecret"] = "has spaces",
            ["Telegram:PollTimeoutSeconds"] = "90",
            ["Telegram:Outbox:GlobalPerSecond"] = "0",
            ["Telegram:Directory:Provider"] = "dynamodb",
        });

        Assert.Contains(failures, f => f.StartsWith("Telegram:Token does not look like a bot token", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Telegram:ApiBaseUrl must be", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Telegram:WebhookUrl must be", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Telegram:WebhookSecret must be", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Telegram:PollTimeoutSeconds must be", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Telegram:Outbox:GlobalPerSecond must be", StringComparison.Ordinal));
        Assert.Contains("Telegram:Directory:TableName is required when Telegram:Directory:Provider is dynamodb.", failures);
        Assert.DoesNotContain(failures, f => f.Contains("a secret", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_DirectoryCreateTableWithoutDynamoDbAndTimeoutOutOfRange_MessagesNameTheKeys()
    {
        var failures = Validate(new Dictionary<string, string?>
        {
            ["Telegram:Directory:CreateTable"] = "true",
            ["Telegram:Directory:TimeoutSeconds"] = "0",
        });

        Assert.Contains("Telegram:Directory:CreateTable applies only when Telegram:Directory:Provider is dynamodb (it is 'database').", failures);
        Assert.Contains("Telegram:Directory:TimeoutSeconds must be between 1 and 60 (it is 0).", failures);
    }

    [Fact]
    public void Validate_NothingSet_ValidAndOff()
    {
        Assert.Empty(Validate(new Dictionary<string, string?>()));
        Assert.False(new TelegramOptions().Enabled);
    }

    [Theory]
    [InlineData("123456789:TEST-test-token-0123456789abcdefXYZ", "123456789:••••••••")]
    [InlineData(null, "(none)")]
    [InlineData("garbage", "••••••••")]
    public void Mask_Token_KeepsOnlyTheBotId(string? token, string expected) => Assert.Equal(expected, TelegramOptions.Mask(token));

    [Fact]
    public void AddTelegram_DynamoDbProvider_UsesTheDynamoDbDirectory()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Telegram:Directory:Provider"] = "DynamoDB",
            ["Telegram:Directory:TableName"] = "links",
            ["Telegram:Directory:ServiceUrl"] = "http://127.0.0.1:1",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IUserStore>(new Fixtures.NoUsers());
        services.AddTelegram(configuration);

        using var provider = services.BuildServiceProvider();

        Assert.IsType<DynamoDbUserDirectory>(provider.GetRequiredService<IUserDirectory>());
    }

    private static List<string> Validate(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddTelegram(configuration);
        using var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<TelegramOptions>>().Value;
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return ex.Failures.ToList();
        }
    }
}
