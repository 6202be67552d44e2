using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Users;

/// <summary>Changes one user's display name, role and scopes.</summary>
public sealed partial class UserEditor
{
    private Role _role;
    private string? _scopes;
    private string? _displayName;
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
        _displayName = User.DisplayName;
        _scopes = UserAdministration.FormatScopes(User.Scopes);
    }

    private string? DisplayNameError => PortalUser.DisplayNameProblem(_displayName);

    private async Task SaveAsync()
    {
        _busy = true;
        try
        {
            if (DisplayNameError is not null)
            {
                return;
            }

            var actor = await Current.ActorAsync();
            if (_displayName != User.DisplayName)
            {
                var renamed = await Administration.RenameAsync(actor, User.Id, _displayName);
                if (!renamed.Succeeded)
                {
                    _error = renamed.Message;
                    return;
                }
            }

            var change = await Administration.UpdateAsync(actor, User.Id, _role, _scopes);
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
