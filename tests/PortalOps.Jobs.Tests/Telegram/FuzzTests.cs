using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Telegram.Bot;

namespace PortalOps.Jobs.Tests.Telegram;

/// <summary>Random and malformed updates never crash the bot and never act.</summary>
public sealed class FuzzTests
{
    [Fact]
    public async Task Updates_RandomAndMalformed_NeverCrashNeverAct()
    {
        await using var bot = await BotHarness.StartAsync();
        var olga = await bot.LinkAsync(await bot.AddUserAsync("olga", Role.Operator), 11);
        var viewer = await bot.LinkAsync(await bot.AddUserAsync("vera", Role.Viewer), 12);
        var target = await bot.InstanceAsync(InstanceState.Running);
        var details = await bot.AskAsync(olga, $"/instance {target.InstanceId}", target.InstanceId);
        var olgasButtons = details.AllButtons.Select(b => b.Data).ToList();
        var fleetBefore = (await bot.Cloud.QueryAsync(new InstanceQuery { PageSize = 500 })).Items.ToDictionary(i => i.Ref, i => i.State);
        var auditBefore = (await bot.AuditAsync()).Count;

        var random = new Random(20261125);
        var strangers = Enumerable.Range(0, 5).Select(i => new TelegramUser(90_000 + i, $"stranger{i}")).ToList();
        var people = strangers.Append(viewer).ToList();
        for (var i = 0; i < 300; i++)
        {
            var who = people[random.Next(people.Count)];
            var chat = random.Next(4) == 0 ? -random.NextInt64(1, 1_000_000) : who.Id;
            var update = random.Next(10) switch
            {
                0 => new JsonObject { ["edited_message"] = bot.Api.MessageUpdate(who, "/instances")["message"]!.DeepClone() },
                1 => new JsonObject { ["poll"] = new JsonObject { ["id"] = "p", ["question"] = "?", ["options"] = new JsonArray(), ["total_voter_count"] = 0, ["is_closed"] = false, ["is_anonymous"] = true, ["type"] = "regular", ["allows_multiple_answers"] = false } },
                2 => new JsonObject { ["something_new"] = new JsonObject { ["x"] = random.Next() } },
                3 => bot.Api.MessageUpdate(who, RandomText(random, random.Next(1, 20_000)), chat),
                4 => bot.Api.MessageUpdate(who, "/" + RandomText(random, random.Next(1, 80)), chat),
                5 => bot.Api.CallbackUpdate(who, details, RandomText(random, random.Next(0, 300))),
                6 => bot.Api.CallbackUpdate(who, details, olgasButtons[random.Next(olgasButtons.Count)]),
                7 => bot.Api.CallbackUpdate(who, new SentMessage { ChatId = who.Id, MessageId = random.Next(), Text = "?" }, olgasButtons[random.Next(olgasButtons.Count)]),
                8 => bot.Api.MessageUpdate(new TelegramUser(who.Id, "bot", IsBot: true), "/instance " + target.InstanceId, chat),
                _ => bot.Api.MessageUpdate(who, $"/start {RandomText(random, random.Next(0, 100))}", chat),
            };
            if (random.Next(8) == 0 && update["callback_query"] is JsonObject query)
            {
                query.Remove("message");
            }

            bot.Api.Push(update);
        }

        // The bot is still there: a linked person still gets an answer, after every update above was taken.
        var last = bot.Api.Write(olga, "/whoami");
        await bot.Api.WaitUntilConsumedAsync(last, TimeSpan.FromSeconds(30));
        await bot.Api.WaitForTextAsync(11, "You are");
        await bot.Outbox.DrainAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(BotMode.Polling, bot.Status.Mode);
        var fleetAfter = (await bot.Cloud.QueryAsync(new InstanceQuery { PageSize = 500 })).Items.ToDictionary(i => i.Ref, i => i.State);
        Assert.Equal(fleetBefore, fleetAfter);
        Assert.Empty(await bot.Services.GetRequiredService<IApprovalStore>().ListAsync(null, 10));
        var audit = (await bot.AuditAsync()).Take((await bot.AuditAsync()).Count - auditBefore).ToList();
        Assert.DoesNotContain(audit, r => r.Event.Outcome is AuditOutcome.Succeeded or AuditOutcome.Pending);
        Assert.Contains(audit, r => r.Event is { Action: "telegram.button", Outcome: AuditOutcome.Denied });
        Assert.All(bot.Api.CallsOf("sendMessage"), c => Assert.True(c.Body["text"]!.GetValue<string>().Length <= 4096));
    }

    private static string RandomText(Random random, int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 _-/@<>&\"';:\n\t€🙂\u0000\u200f";
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }
}
