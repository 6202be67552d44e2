using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Telegram.Linking;

/// <summary>
/// Telegram links in a DynamoDB table (<c>Telegram:Directory:TableName</c>), the way the product's first design kept its user
/// details. One string partition key <c>pk</c>; each link is two items written in one transaction: <c>telegram#ID</c> (who a Telegram
/// user is) and <c>user#GUID</c> (a portal user's link). A condition keeps one Telegram account to one portal user. Rights still come
/// from the portal's user store, so a role or scope change applies at once.
/// </summary>
public sealed class DynamoDbUserDirectory(IAmazonDynamoDB dynamo, string tableName, IUserStore users) : IUserDirectory
{
    private const string Key = "pk";

    public async Task<PortalUser?> FindByChatUserAsync(long chatUserId, CancellationToken cancellationToken = default)
    {
        var item = await GetAsync(TelegramKey(chatUserId), cancellationToken);
        return item is not null && Guid.TryParse(item["userId"].S, out var userId) ? await users.FindAsync(userId, cancellationToken) : null;
    }

    public async Task<ChatLink?> FindLinkAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var item = await GetAsync(UserKey(userId), cancellationToken);
        return item is null ? null : ToLink(item);
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
                var response = await dynamo.BatchGetItemAsync(new BatchGetItemRequest { RequestItems = request }, cancellationToken);
                if (response.Responses is not null && response.Responses.TryGetValue(tableName, out var items))
                {
                    links.AddRange(items.Select(ToLink));
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
            await dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest { TransactItems = writes }, cancellationToken);
        }
        catch (TransactionCanceledException ex) when (ex.CancellationReasons?.FirstOrDefault()?.Code == "ConditionalCheckFailed")
        {
            throw new DomainException("This Telegram account is already linked to another PortalOps user.");
        }
    }

    public async Task<bool> UnlinkAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var link = await FindLinkAsync(userId, cancellationToken);
        if (link is null)
        {
            return false;
        }

        await dynamo.TransactWriteItemsAsync(
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
            cancellationToken);
        return true;
    }

    /// <summary>Creates the table (on-demand capacity) when it does not exist. For first set-up and tests; production may create it by hand.</summary>
    public async Task EnsureTableAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await dynamo.DescribeTableAsync(tableName, cancellationToken);
            return;
        }
        catch (ResourceNotFoundException)
        {
        }

        await dynamo.CreateTableAsync(
            new CreateTableRequest
            {
                TableName = tableName,
                BillingMode = BillingMode.PAY_PER_REQUEST,
                AttributeDefinitions = [new AttributeDefinition(Key, ScalarAttributeType.S)],
                KeySchema = [new KeySchemaElement(Key, KeyType.HASH)],
            },
            cancellationToken);
    }

    private async Task<Dictionary<string, AttributeValue>?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest { TableName = tableName, Key = KeyOf(key), ConsistentRead = true }, cancellationToken);
        return response.Item is { Count: > 0 } item ? item : null;
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

    private static ChatLink ToLink(Dictionary<string, AttributeValue> item) => new(
        Guid.Parse(item["userId"].S),
        long.Parse(item["telegramUserId"].N, CultureInfo.InvariantCulture),
        item.TryGetValue("telegramUserName", out var name) ? name.S : null,
        DateTimeOffset.Parse(item["linkedAt"].S, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
}
