using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Users;

/// <summary>Creates a local account with a role, scopes and an initial password.</summary>
public sealed partial class NewUserForm
{
    private string? _userName;
    private string? _displayName;
    private Role _role = Role.Viewer;
    private string? _scopes;
    private string? _password;
    private string? _confirm;
    private UserChange? _change;
    private bool _busy;

    [Inject]
    public required UserAdministration Administration { get; init; }

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required ICloudProvider Cloud { get; init; }

    [Parameter]
    public EventCallback<UserChange> OnSaved { get; set; }

    [Parameter]
    public EventCallback OnCancel { get; set; }

    private string? DisplayNameError => PortalUser.DisplayNameProblem(_displayName) ?? _change?.DisplayNameError;

    /// <summary>
    /// The scopes field starts with every region of each configured account, one line each ("000000000000/*"): a valid,
    /// visible starting point for the Admin to narrow, rather than an empty field that Create refuses.
    /// </summary>
    internal static string DefaultScopes(ICloudProvider cloud) =>
        cloud.Accounts.Count == 0 ? Scope.Everything.ToString() : string.Join('\n', cloud.Accounts.Select(a => $"{a.Id}/*"));

    protected override void OnInitialized() => _scopes = DefaultScopes(Cloud);

    private async Task CreateAsync()
    {
        _busy = true;
        try
        {
            _change = await Administration.CreateAsync(await Current.ActorAsync(), _userName, _displayName, _role, _scopes, _password, _confirm);
            if (_change.Succeeded)
            {
                _password = _confirm = null;
                await OnSaved.InvokeAsync(_change);
            }
        }
        catch (DomainException ex)
        {
            _change = UserChange.Refused(ex.Message);
        }
        finally
        {
            _busy = false;
        }
    }
}
