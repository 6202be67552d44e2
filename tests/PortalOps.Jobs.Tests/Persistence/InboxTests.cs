using PortalOps.Domain.Notifications;
using PortalOps.Jobs.Persistence;

namespace PortalOps.Jobs.Tests.Persistence;

public abstract class InboxTests(DatabaseProvider provider) : StoreTestBase(provider)
{
    private static readonly Guid Rita = Guid.NewGuid();
    private static readonly Guid Alice = Guid.NewGuid();

    private InboxNotifier Notifier => new(Database.Contexts, Clock);

    private EfInbox Inbox => new(Database.Contexts, Clock);

    [Fact]
    public async Task NotifyAsync_RepeatedRecipients_OneRowPerPerson()
    {
        var approval = Guid.NewGuid();

        await Notifier.NotifyAsync(new Notification(NotificationKind.ApprovalRequested, "Approval needed", "rita asks to stop 6 instances", [Rita, Alice, Rita], approval));
        var ritas = await Inbox.ListAsync(Rita, unreadOnly: false, 0, 10);

        var item = Assert.Single(ritas.Items);
        Assert.Equal(NotificationKind.ApprovalRequested, item.Kind);
        Assert.Equal("Approval needed", item.Title);
        Assert.Equal("rita asks to stop 6 instances", item.Body);
        Assert.Equal(approval, item.ApprovalId);
        Assert.Equal(Clock.GetUtcNow(), item.CreatedAt);
        Assert.False(item.IsRead);
        Assert.Equal(1, await Inbox.CountUnreadAsync(Alice));
    }

    [Fact]
    public async Task ListAsync_SeveralItems_NewestFirstAndPaged()
    {
        for (var i = 1; i <= 5; i++)
        {
            await Notifier.NotifyAsync(new Notification(NotificationKind.Alert, $"Alert {i}", "CPU high", [Rita]));
            Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var page = await Inbox.ListAsync(Rita, unreadOnly: false, pageIndex: 1, pageSize: 2);

        Assert.Equal(5, page.TotalCount);
        Assert.Equal(["Alert 3", "Alert 2"], page.Items.Select(i => i.Title));
    }

    [Fact]
    public async Task MarkReadAsync_OwnItem_MarksOnceAndOthersCannot()
    {
        await Notifier.NotifyAsync(new Notification(NotificationKind.ActionCompleted, "Done", "Stop accepted", [Rita]));
        var item = (await Inbox.ListAsync(Rita, true, 0, 10)).Items.Single();
        Clock.Advance(TimeSpan.FromMinutes(2));

        Assert.False(await Inbox.MarkReadAsync(Alice, item.Id));
        Assert.True(await Inbox.MarkReadAsync(Rita, item.Id));
        Assert.False(await Inbox.MarkReadAsync(Rita, item.Id));

        var read = (await Inbox.ListAsync(Rita, false, 0, 10)).Items.Single();
        Assert.Equal(Clock.GetUtcNow(), read.ReadAt);
        Assert.Empty((await Inbox.ListAsync(Rita, unreadOnly: true, 0, 10)).Items);
    }

    [Fact]
    public async Task MarkAllReadAsync_UnreadItems_MarksOnlyThatUsers()
    {
        await Notifier.NotifyAsync(new Notification(NotificationKind.Alert, "A", "a", [Rita, Alice]));
        await Notifier.NotifyAsync(new Notification(NotificationKind.Alert, "B", "b", [Rita]));

        Assert.Equal(2, await Inbox.MarkAllReadAsync(Rita));
        Assert.Equal(0, await Inbox.CountUnreadAsync(Rita));
        Assert.Equal(1, await Inbox.CountUnreadAsync(Alice));
    }

    [Fact]
    public async Task NotifyAsync_DatabaseUnavailable_DoesNotThrow()
    {
        var broken = new InboxNotifier(new PortalDbContextFactory(PortalDatabase.Sqlite("/proc/portalops-no-such-folder")), Clock);

        await broken.NotifyAsync(new Notification(NotificationKind.Alert, "A", "a", [Rita]));
    }
}

public sealed class SqliteInboxTests() : InboxTests(DatabaseProvider.Sqlite);

[Trait("Category", "Peer")]
public sealed class PostgresInboxTests() : InboxTests(DatabaseProvider.Postgres);
