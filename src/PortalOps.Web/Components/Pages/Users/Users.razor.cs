using Microsoft.AspNetCore.Components;
using MudBlazor;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Users;

/// <summary>Users, their roles and scopes; edit, disable, enable and create. The rules live in <see cref="UserAdministration"/>.</summary>
public sealed partial class Users
{
    private MudDataGrid<PortalUser>? _grid;
    private PortalUser? _editing;
    private UserChange? _message;
    private bool _creating;

    [Inject]
    public required IUserStore Store { get; init; }

    [Inject]
    public required UserAdministration Administration { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    private async Task<GridData<PortalUser>> LoadAsync(GridState<PortalUser> state, CancellationToken cancellationToken)
    {
        var all = (await Store.ListAsync(cancellationToken)).OrderBy(u => u.UserName, StringComparer.OrdinalIgnoreCase).ToList();
        return new GridData<PortalUser>
        {
            Items = all.Skip(state.Page * state.PageSize).Take(state.PageSize).ToList(),
            TotalItems = all.Count,
        };
    }

    private void StartCreate()
    {
        _editing = null;
        _creating = true;
    }

    private void StartEdit(PortalUser user)
    {
        _creating = false;
        _editing = user;
    }

    private async Task OnSavedAsync(UserChange change)
    {
        _message = change;
        _editing = null;
        _creating = false;
        await ReloadAsync();
    }

    private Task DisableAsync(PortalUser user) => ChangeAsync(actor => Administration.DisableAsync(actor, user.Id));

    private Task EnableAsync(PortalUser user) => ChangeAsync(actor => Administration.EnableAsync(actor, user.Id));

    private async Task ChangeAsync(Func<Actor, Task<UserChange>> change)
    {
        try
        {
            _message = await change(await Current.ActorAsync());
        }
        catch (DomainException ex)
        {
            _message = UserChange.Refused(ex.Message);
        }

        await ReloadAsync();
    }

    private Task ReloadAsync() => _grid?.ReloadServerData() ?? Task.CompletedTask;
}
