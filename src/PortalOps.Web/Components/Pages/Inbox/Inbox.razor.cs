using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Common;
using PortalOps.Domain.Notifications;
using PortalOps.Web.Components.Shared;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Inbox;

/// <summary>What the notifier delivered to the current person: approval requests, decisions, results.</summary>
public sealed partial class Inbox : IDisposable
{
    private const int PageSize = 20;
    private Page<InboxItem> _page = Page<InboxItem>.Empty(PageSize);
    private Guid _userId;
    private int _unread;
    private int _pageIndex;
    private bool _unreadOnly;
    private LiveRefresh? _live;

    [Inject]
    public required IInbox Items { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    protected override async Task OnInitializedAsync()
    {
        _userId = (await Current.ActorAsync()).UserId;
        await LoadAsync();
        _live = new LiveRefresh(() => InvokeAsync(async () => { await LoadAsync(); StateHasChanged(); }), TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    public void Dispose() => _live?.Dispose();

    private async Task LoadAsync()
    {
        _page = await Items.ListAsync(_userId, _unreadOnly, _pageIndex, PageSize);
        _unread = await Items.CountUnreadAsync(_userId);
    }

    private async Task OnUnreadOnlyChanged(bool value)
    {
        _unreadOnly = value;
        _pageIndex = 0;
        await LoadAsync();
    }

    private async Task OnPageChanged(int page)
    {
        _pageIndex = page - 1;
        await LoadAsync();
    }

    private async Task MarkAsync(InboxItem item)
    {
        await Items.MarkReadAsync(_userId, item.Id);
        await LoadAsync();
    }

    private async Task MarkAllAsync()
    {
        await Items.MarkAllReadAsync(_userId);
        await LoadAsync();
    }
}
