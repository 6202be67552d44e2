using System.Globalization;
using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Telegram.Linking;

/// <summary>
/// Telegram links in a DynamoDB table (<c>Telegram:Directory:TableName</c>), the way the product's first design kept its user
/// details. One string partition key <c>pk</c>; each link is two items written in one transaction: <c>telegram#ID</c> (who a Telegram
/// user is) and <c>user#GUID</c> (a portal user's link). A condition keeps one Telegram account to one portal user. Rights still come
/// from the portal's user store, so a role or scope change applies at once.
/// <para>
/// Every call has a deadline (<c>Telegram:Directory:TimeoutSeconds</c>). A missing table, a DynamoDB that does not answer or refuses
/// access becomes <see cref="UserDirectoryUnavailableException"/>; an item that cannot be read (a field missing or of the wrong type,
/// a key that does not match its contents) is refused as if it were not there, and the reason is logged.
/// </para>
/// </summary>
public sealed partial class DynamoDbUserDirectory(
    IAmazonDynamoDB dynamo, string tableName, IUserStore users, ILogger<DynamoDbUserDirectory>? logger = null, TimeSpan? timeout = null) : IUserDirectory
{
    private const string Key = "pk";

    /// <summary>How long one call may take when no <c>timeout</c> is given.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = logger ?? NullLogger<DynamoDbUserDirectory>.Instance;
    private readonly TimeSpan _timeout = timeout ?? DefaultTimeout;

    public string TableName => tableName;

    private string Store => $"DynamoDB table '{tableName}'";

    public async Task<PortalUser?> FindByChatUserAsync(long chatUserId, CancellationToken cancellationToken = default)
    {
        var key = TelegramKey(chatUserId);
        var item = await GetAsync(key, cancellationToken);
        return item is not null && Read(item, key) is { } link ? await users.FindAsync(link.UserId, cancellationToken) : null;
    }

    public async Task<ChatLink?> FindLinkAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var key = UserKey(userId);
        var item = await GetAsync(key, cancellationToken);
        return item is null ? null : Read(item, key);
    }

    public async Task<IReadOnlyList<ChatLink>> FindLinksAsync(IReadOnlyCollection<Guid> userIds, CancellationToken cancellationToken = default)
    {
        var links = new List<ChatLink>();
        foreach (var chunk in userIds.Distinct().Chunk(100))
        {
            var keys = chunk.Select(id => new Dictionary<string, AttributeValue> { [Key] = new() { S = UserKey(id) } }).ToList();
            var request = new Dictionary<string, KeysAndAttributes> { [tableName] = new() { Keys = keys, ConsistentRead = true } };
            while (request.Count > 0)
            {
                var pending = request;
                var response = await CallAsync(ct => dynamo.BatchGetItemAsync(new BatchGetItemRequest { RequestItems = pending }, ct), cancellationToken);
                if (response.Responses is not null && response.Responses.TryGetValue(tableName, out var items))
                {
                    links.AddRange(items.Select(item => Read(item, item.TryGetValue(Key, out var pk) ? pk.S : null)).OfType<ChatLink>());
                }

                request = response.UnprocessedKeys ?? [];
            }
        }

        return links;
    }

    public async Task LinkAsync(ChatLink link, CancellationToken cancellationToken = default)
    {
        var earlier = await FindLinkAsync(link.UserId, cancellationToken);
        var item = ToItem(link);
        var writes = new List<TransactWriteItem>
        {
            new()
            {
                Put = new Put
                {
                    TableName = tableName,
                    Item = new Dictionary<string, AttributeValue>(item) { [Key] = new() { S = TelegramKey(link.ChatUserId) } },
                    ConditionExpression = "attribute_not_exists(pk) OR userId = :user",
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":user"] = new() { S = link.UserId.ToString() } },
                },
            },
            new()
            {
                Put = new Put
                {
                    TableName = tableName,
                    Item = new Dictionary<string, AttributeValue>(item) { [Key] = new() { S = UserKey(link.UserId) } },
                },
            },
        };
        if (earlier is not null && earlier.ChatUserId != link.ChatUserId)
        {
            writes.Add(new TransactWriteItem { Delete = new Delete { TableName = tableName, Key = KeyOf(TelegramKey(earlier.ChatUserId)) } });
        }

        try
        {
            await CallAsync(ct => dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest { TransactItems = writes }, ct), cancellationToken);
        }
        catch (TransactionCanceledException ex) when (ex.CancellationReasons?.FirstOrDefault()?.Code == "ConditionalCheckFailed")
        {
            throw new DomainException("This Telegram account is already linked to another PortalOps user.");
        }
        catch (TransactionCanceledException ex)
        {
            throw Unavailable("it cancelled the write (a conflict or throttling); try again", ex);
        }
    }

    public async Task<bool> UnlinkAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var link = await FindLinkAsync(userId, cancellationToken);
        if (link is null)
        {
            return false;
        }

        try
        {
            await CallAsync(
                ct => dynamo.TransactWriteItemsAsync(
                    new TransactWriteItemsRequest
                    {
                        TransactItems =
                        [
                            new() { Delete = new Delete { TableName = tableName, Key = KeyOf(UserKey(userId)) } },
                            new()
                            {
                                Delete = new Delete
                                {
                                    TableName = tableName,
                                    Key = KeyOf(TelegramKey(link.ChatUserId)),
                                    ConditionExpression = "attribute_not_exists(pk) OR userId = :user",
                                    ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":user"] = new() { S = userId.ToString() } },
                                },
                            },
                        ],
                    },
                    ct),
                cancellationToken);
        }
        catch (TransactionCanceledException ex)
        {
            throw Unavailable("it cancelled the write (a conflict or throttling); try again", ex);
        }

        return true;
    }

    public async Task<UserDirectoryHealth> CheckAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var problem = await InspectAsync(cancellationToken) switch
            {
                TableState.Ready => null,
                TableState.Missing => $"The {Store} does not exist.",
                var state => Describe(state),
            };
            return new UserDirectoryHealth(Store, problem is null, problem);
        }
        catch (UserDirectoryUnavailableException ex)
        {
            return new UserDirectoryHealth(Store, false, ex.Message);
        }
    }

    /// <summary>What the table looks like: missing, ready (active, with the string key <c>pk</c>), or something else. Throws when DynamoDB cannot tell.</summary>
    internal async Task<TableState> InspectAsync(CancellationToken cancellationToken = default)
    {
        TableDescription table;
        try
        {
            table = (await CallAsync(ct => dynamo.DescribeTableAsync(tableName, ct), cancellationToken, missingIsAnError: false)).Table;
        }
        catch (ResourceNotFoundException)
        {
            return TableState.Missing;
        }

        var keys = table.KeySchema ?? [];
        var keyIsPk = keys.Count == 1 && keys[0].AttributeName == Key && keys[0].KeyType == KeyType.HASH
            && (table.AttributeDefinitions ?? []).Any(a => a.AttributeName == Key && a.AttributeType == ScalarAttributeType.S);
        if (!keyIsPk)
        {
            return TableState.WrongKey;
        }

        return table.TableStatus == TableStatus.ACTIVE || table.TableStatus == TableStatus.UPDATING ? TableState.Ready : TableState.NotActive;
    }

    internal string Describe(TableState state) => state switch
    {
        TableState.Missing => $"The {Store} does not exist.",
        TableState.WrongKey => $"The {Store} does not have the key PortalOps needs: one string partition key named '{Key}' and no sort key.",
        TableState.NotActive => $"The {Store} is not active yet.",
        _ => $"The {Store} is ready.",
    };

    /// <summary>Creates the table (on-demand capacity) when it does not exist, and waits until it is active. For first set-up and tests; production may create it by hand.</summary>
    public async Task EnsureTableAsync(CancellationToken cancellationToken = default)
    {
        if (await InspectAsync(cancellationToken) == TableState.Missing)
        {
            await CreateTableAsync(cancellationToken);
        }
    }

    /// <summary>Creates the table (on-demand capacity) and waits up to a minute until it is active.</summary>
    internal async Task CreateTableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(
                ct => dynamo.CreateTableAsync(
                    new CreateTableRequest
                    {
                        TableName = tableName,
                        BillingMode = BillingMode.PAY_PER_REQUEST,
                        AttributeDefinitions = [new AttributeDefinition(Key, ScalarAttributeType.S)],
                        KeySchema = [new KeySchemaElement(Key, KeyType.HASH)],
                    },
                    ct),
                cancellationToken);
        }
        catch (ResourceInUseException)
        {
            // Another node created it a moment ago.
        }

        var until = DateTimeOffset.UtcNow.AddMinutes(1);
        while (await InspectAsync(cancellationToken) != TableState.Ready && DateTimeOffset.UtcNow < until)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    private async Task<Dictionary<string, AttributeValue>?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var response = await CallAsync(ct => dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = KeyOf(key), ConsistentRead = true }, ct), cancellationToken);
        return response.Item is { Count: > 0 } item ? item : null;
    }

    /// <summary>One DynamoDB call under the deadline; what goes wrong on DynamoDB's side becomes <see cref="UserDirectoryUnavailableException"/>.</summary>
    private async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, bool missingIsAnError = true)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            return await call(deadline.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unavailable($"DynamoDB did not answer within {_timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s", ex);
        }
        catch (ResourceNotFoundException ex) when (missingIsAnError)
        {
            throw Unavailable("the table does not exist", ex);
        }
        catch (AmazonServiceException ex) when (ex is not ResourceNotFoundException and not TransactionCanceledException and not ResourceInUseException && ex.StatusCode != 0)
        {
            // The error code only: AWS's messages can name the caller's role and account.
            throw Unavailable($"DynamoDB answered {(int)ex.StatusCode} {ex.ErrorCode}", ex);
        }
        catch (Exception ex) when (ex is AmazonClientException or HttpRequestException or IOException or SocketException or TimeoutException
            && ex is not ResourceNotFoundException and not TransactionCanceledException and not ResourceInUseException)
        {
            throw Unavailable($"DynamoDB cannot be reached ({(ex.InnerException ?? ex).GetType().Name})", ex);
        }
    }

    private UserDirectoryUnavailableException Unavailable(string why, Exception inner) =>
        new($"The Telegram user directory ({Store}) is unavailable: {why}.", inner);

    /// <summary>The link in an item, or null (logged) when the item cannot be trusted.</summary>
    private ChatLink? Read(Dictionary<string, AttributeValue> item, string? key)
    {
        var problem = Problem(item, key, out var link);
        if (problem is null)
        {
            return link;
        }

        LogRefused(_logger, key ?? "(no key)", tableName, problem);
        return null;
    }

    private static string? Problem(Dictionary<string, AttributeValue> item, string? key, out ChatLink? link)
    {
        link = null;
        if (!item.TryGetValue("userId", out var user) || user.S is null || !Guid.TryParse(user.S, out var userId))
        {
            return "userId is missing or not a GUID string.";
        }

        if (!item.TryGetValue("telegramUserId", out var telegram) || telegram.N is null
            || !long.TryParse(telegram.N, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var telegramUserId))
        {
            return "telegramUserId is missing or not a whole number.";
        }

        if (!item.TryGetValue("linkedAt", out var linked) || linked.S is null
            || !DateTimeOffset.TryParse(linked.S, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var linkedAt))
        {
            return "linkedAt is missing or not an ISO 8601 time.";
        }

        string? userName = null;
        if (item.TryGetValue("telegramUserName", out var name))
        {
            if (name.S is null || name.S.Length > 64)
            {
                return "telegramUserName is not a string of at most 64 characters.";
            }

            userName = name.S;
        }

        var keyMatches = key is not null && (key.StartsWith("telegram#", StringComparison.Ordinal) ? key == TelegramKey(telegramUserId) : key == UserKey(userId));
        if (!keyMatches)
        {
            return $"its key does not match its contents (Telegram user {telegramUserId.ToString(CultureInfo.InvariantCulture)}, portal user {userId}).";
        }

        link = new ChatLink(userId, telegramUserId, userName, linkedAt);
        return null;
    }

    private static Dictionary<string, AttributeValue> KeyOf(string key) => new() { [Key] = new AttributeValue { S = key } };

    private static string TelegramKey(long id) => $"telegram#{id.ToString(CultureInfo.InvariantCulture)}";

    private static string UserKey(Guid id) => $"user#{id}";

    private static Dictionary<string, AttributeValue> ToItem(ChatLink link)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["userId"] = new() { S = link.UserId.ToString() },
            ["telegramUserId"] = new() { N = link.ChatUserId.ToString(CultureInfo.InvariantCulture) },
            ["linkedAt"] = new() { S = link.LinkedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) },
        };
        if (!string.IsNullOrEmpty(link.ChatUserName))
        {
            item["telegramUserName"] = new AttributeValue { S = link.ChatUserName };
        }

        return item;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused the Telegram link item {Key} in DynamoDB table {Table}: {Reason} It counts as no link until it is fixed or removed.")]
    private static partial void LogRefused(ILogger logger, string key, string table, string reason);
}

/// <summary>The state of the DynamoDB table behind <see cref="DynamoDbUserDirectory"/>.</summary>
internal enum TableState
{
    Missing,
    Ready,
    NotActive,
    WrongKey,
}
