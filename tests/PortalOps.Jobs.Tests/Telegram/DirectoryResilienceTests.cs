using System.Diagnostics;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram.Bot;
using PortalOps.Jobs.Telegram.Linking;
using PortalOps.Jobs.Tests.Aws.Support;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>
/// The bot with its links in DynamoDB (moto), when the table goes missing, DynamoDB stops answering, or an item cannot be read:
/// people are told, updates wait rather than vanish, bad items are refused, and the start checks the table.
/// </summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class DirectoryResilienceTests(MotoServer moto)
{
    [Fact]
    public async Task Update_TableDeleted_TellsThePersonOnceAndAnswersOnceTheTableIsBack()
    {
        var table = TableName();
        await using var bot = await BotHarness.StartAsync(Settings(table, create: true));
        var olga = await bot.AddUserAsync("olga", Role.Operator);
        var person = await bot.LinkAsync(olga, 501);
        await bot.AskAsync(person, "/whoami", "You are <b>olga</b>");
        await bot.Services.GetRequiredService<IAmazonDynamoDB>().DeleteTableAsync(table);

        var updateId = bot.Api.Write(person, "/whoami");

        var notice = await bot.Api.WaitForTextAsync(person.Id, "temporarily unavailable");
        await BotStartTests.WaitAsync(() => PollsFrom(bot, updateId) >= 2, "the update to be tried again", TimeSpan.FromSeconds(20));
        Assert.Single(bot.Api.MessagesIn(person.Id), m => m.Text.Contains("temporarily unavailable", StringComparison.Ordinal));
        Assert.Contains("does not exist", bot.Status.DirectoryProblem, StringComparison.Ordinal);

        var directory = (DynamoDbUserDirectory)bot.Services.GetRequiredService<IUserDirectory>();
        await directory.EnsureTableAsync();
        await directory.LinkAsync(new ChatLink(olga.Id, person.Id, person.UserName, DateTimeOffset.UtcNow));

        var answer = await bot.Api.WaitForMessageAsync(person.Id, m => m.MessageId > notice.MessageId && m.Text.Contains("You are <b>olga</b>", StringComparison.Ordinal), "answering the kept /whoami", TimeSpan.FromSeconds(45));
        await bot.Api.WaitUntilConsumedAsync(updateId);
        Assert.Single(bot.Api.MessagesIn(person.Id), m => m.MessageId > notice.MessageId);
        Assert.Single(bot.Api.MessagesIn(person.Id), m => m.Text.Contains("temporarily unavailable", StringComparison.Ordinal));
        Assert.Null(bot.Status.DirectoryProblem);
        Assert.NotNull(answer);
    }

    [Fact]
    public async Task Update_DynamoDbNotAnswering_TellsThePersonWithinTheDeadlineAndAnswersOnceItAnswers()
    {
        await using var endpoint = new SilentEndpoint();
        endpoint.ForwardTo(moto.Url.Port);
        var settings = Settings(TableName(), create: true, serviceUrl: endpoint.Url);
        settings["Telegram:Directory:TimeoutSeconds"] = "3";
        await using var bot = await BotHarness.StartAsync(settings);
        var olga = await bot.AddUserAsync("olga", Role.Operator);
        var person = await bot.LinkAsync(olga, 502);
        endpoint.GoSilent();

        var watch = Stopwatch.StartNew();
        var updateId = bot.Api.Write(person, "/whoami");

        var notice = await bot.Api.WaitForTextAsync(person.Id, "temporarily unavailable", TimeSpan.FromSeconds(15));
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        Assert.Contains("did not answer within 3 s", bot.Status.DirectoryProblem, StringComparison.Ordinal);

        endpoint.ForwardTo(moto.Url.Port);

        await bot.Api.WaitForMessageAsync(person.Id, m => m.MessageId > notice.MessageId && m.Text.Contains("You are <b>olga</b>", StringComparison.Ordinal), "answering the kept /whoami", TimeSpan.FromSeconds(45));
        await bot.Api.WaitUntilConsumedAsync(updateId);
        Assert.Single(bot.Api.MessagesIn(person.Id), m => m.Text.Contains("temporarily unavailable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Update_MalformedOrMismatchedLinkItem_RefusedAsNotLinkedAndTheReasonLogged()
    {
        var table = TableName();
        var logs = new CapturedLogs();
        await using var bot = await BotHarness.StartAsync(Settings(table, create: true), services => services.AddSingleton<ILoggerProvider>(logs));
        var adam = await bot.AddUserAsync("adam", Role.Admin);
        var dynamo = bot.Services.GetRequiredService<IAmazonDynamoDB>();

        // One item whose userId is not a GUID; one that sits under Telegram user 778 but was written for somebody else.
        await dynamo.PutItemAsync(table, Item("telegram#777", userId: "not-a-guid", telegramUserId: "777"));
        await dynamo.PutItemAsync(table, Item("telegram#778", userId: adam.Id.ToString(), telegramUserId: "999"));

        await bot.AskAsync(new TelegramUser(777, "Mallory"), "/whoami", "not linked to PortalOps");
        await bot.AskAsync(new TelegramUser(778, "Trudy"), "/approvals", "not linked to PortalOps");

        Assert.True(logs.Contains("Refused the Telegram link item telegram#777 in DynamoDB table " + table + ": userId is missing or not a GUID string.", LogLevel.Warning));
        Assert.True(logs.Contains("Refused the Telegram link item telegram#778 in DynamoDB table " + table + ": its key does not match its contents", LogLevel.Warning));
        Assert.DoesNotContain(bot.Api.MessagesIn(777).Concat(bot.Api.MessagesIn(778)), m => m.Text.Contains("You are", StringComparison.Ordinal));
        Assert.Null(bot.Status.DirectoryProblem);
    }

    [Fact]
    public async Task Start_TableMissing_FailsWithOneLineNamingTheKeys()
    {
        var table = TableName();

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => BotHarness.StartAsync(Settings(table, create: false)));

        var failure = Assert.Single(refused.Failures);
        Assert.StartsWith($"Telegram:Directory:TableName: the DynamoDB table '{table}' does not exist.", failure, StringComparison.Ordinal);
        Assert.Contains("Telegram:Directory:CreateTable", failure, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [Fact]
    public async Task Start_TableMissingAndCreateTable_CreatesItWithTheKeyPk()
    {
        var table = TableName();

        await using var bot = await BotHarness.StartAsync(Settings(table, create: true));

        var described = (await bot.Services.GetRequiredService<IAmazonDynamoDB>().DescribeTableAsync(table)).Table;
        Assert.Equal(TableStatus.ACTIVE, described.TableStatus);
        Assert.Equal(("pk", KeyType.HASH), (Assert.Single(described.KeySchema).AttributeName, described.KeySchema[0].KeyType));
        Assert.True((await bot.Services.GetRequiredService<IUserDirectory>().CheckAsync()).Available);
    }

    private static int PollsFrom(BotHarness bot, int updateId) =>
        bot.Api.CallsOf("getUpdates").Count(c => c.Body["offset"]?.GetValue<int>() == updateId);

    private static string TableName() => "links-" + Guid.NewGuid().ToString("N")[..12];

    private Dictionary<string, string?> Settings(string table, bool create, string? serviceUrl = null)
    {
        var settings = BotHarness.FastSettings();
        settings["Telegram:Directory:Provider"] = "dynamodb";
        settings["Telegram:Directory:TableName"] = table;
        settings["Telegram:Directory:Region"] = "eu-west-1";
        settings["Telegram:Directory:ServiceUrl"] = serviceUrl ?? moto.Url.ToString().TrimEnd('/');
        settings["Telegram:Directory:CreateTable"] = create ? "true" : "false";
        return settings;
    }

    private static Dictionary<string, AttributeValue> Item(string key, string userId, string telegramUserId) => new()
    {
        ["pk"] = new AttributeValue { S = key },
        ["userId"] = new AttributeValue { S = userId },
        ["telegramUserId"] = new AttributeValue { N = telegramUserId },
        ["linkedAt"] = new AttributeValue { S = "2026-11-25T09:00:00.0000000+00:00" },
    };
}
