using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Users;

/// <summary>Changes one user's role and scopes.</summary>
public sealed partial class UserEditor
{
    private Role _role;
    private string? _scopes;
    private IReadOnlyList<string> _scopeErrors = [];
    private string? _error;
    private bool _busy;

    [Inject]
    public required UserAdministration Administration { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Parameter, EditorRequired]
    public required PortalUser User { get; set; }

    [Parameter]
    public EventCallback<UserChange> OnSaved { get; set; }

    [Parameter]
    public EventCallback OnCancel { get; set; }

    protected override void OnInitialized()
    {
        _role = User.Role;
        _scopes = UserAdministration.FormatScopes(User.Scopes);
    }

    private async Task SaveAsync()
    {
        _busy = true;
        try
        {
            var change = await Administration.UpdateAsync(await Current.ActorAsync(), User.Id, _role, _scopes);
            _scopeErrors = change.ScopeErrors;
            _error = change.Succeeded || change.ScopeErrors.Count > 0 ? null : change.Message;
            if (change.Succeeded)
            {
                await OnSaved.InvokeAsync(change);
            }
        }
        catch (DomainException ex)
        {
            _error = ex.Message;
        }
        finally
        {
            _busy = false;
        }
    }
}
