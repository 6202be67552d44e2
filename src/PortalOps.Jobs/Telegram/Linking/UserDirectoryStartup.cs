using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Telegram.Linking;

/// <summary>
/// At start, with the DynamoDB directory: checks that the table exists with the key PortalOps needs, and creates it when
/// <c>Telegram:Directory:CreateTable</c> is true. A missing table (or one with another key) stops the start with one message naming
/// the key to fix; a DynamoDB that does not answer now does not: the portal starts, the bot tells people the directory is
/// temporarily unavailable, and the Telegram page shows why.
/// </summary>
internal sealed partial class UserDirectoryStartup(IUserDirectory directory, IOptions<TelegramOptions> options, ILogger<UserDirectoryStartup> logger) : IHostedService
{
    private const string S = TelegramOptions.Section;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value.Directory;
        if (!settings.UsesDynamoDb || directory is not DynamoDbUserDirectory dynamo)
        {
            return;
        }

        try
        {
            var state = await dynamo.InspectAsync(cancellationToken);
            switch (state)
            {
                case TableState.Ready:
                    LogReady(logger, dynamo.TableName);
                    return;
                case TableState.Missing when settings.CreateTable:
                    await CreateAsync(dynamo, cancellationToken);
                    return;
                case TableState.Missing:
                    throw Refuse($"{S}:Directory:TableName: the DynamoDB table '{dynamo.TableName}' does not exist. Create it (docs/telegram.md, \"Where links are kept\") or set {S}:Directory:CreateTable to true.");
                case TableState.WrongKey:
                    throw Refuse($"{S}:Directory:TableName: {dynamo.Describe(state)}");
                case TableState.NotActive:
                    LogNotActive(logger, dynamo.TableName);
                    return;
                default:
                    return;
            }
        }
        catch (UserDirectoryUnavailableException ex)
        {
            LogUnchecked(logger, ex.Message);
        }
    }

    private async Task CreateAsync(DynamoDbUserDirectory dynamo, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.CreateTableAsync(cancellationToken);
        }
        catch (UserDirectoryUnavailableException ex)
        {
            throw Refuse($"{S}:Directory:CreateTable is true, but the DynamoDB table '{dynamo.TableName}' could not be created. {ex.Message}");
        }

        LogCreated(logger, dynamo.TableName);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static OptionsValidationException Refuse(string message) => new(S, typeof(TelegramOptions), [message]);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telegram links are kept in DynamoDB table {Table}.")]
    private static partial void LogReady(ILogger logger, string table);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created DynamoDB table {Table} for Telegram links (Telegram:Directory:CreateTable is true).")]
    private static partial void LogCreated(ILogger logger, string table);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DynamoDB table {Table} for Telegram links is not active yet; the bot answers 'temporarily unavailable' until it is.")]
    private static partial void LogNotActive(ILogger logger, string table);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Telegram user directory could not be checked at start; the portal starts anyway. {Problem}")]
    private static partial void LogUnchecked(ILogger logger, string problem);
}
