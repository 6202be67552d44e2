using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Common;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Profile;

/// <summary>The signed-in person's own account: who they are, their password and their authenticator.</summary>
public sealed partial class Profile
{
    private PortalUser? _user;
    private string? _current;
    private string? _next;
    private string? _confirm;
    private string? _passwordResult;
    private bool _passwordSaved;
    private bool _busy;
    private string? _displayName;
    private string? _renameError;

    [Inject]
    public required CurrentActor Current { get; init; }

    [Inject]
    public required LocalAccounts Accounts { get; init; }

    [Inject]
    public required UserAdministration Administration { get; init; }

    [Inject]
    public required MudBlazor.ISnackbar Snackbar { get; init; }

    private string? DisplayNameError => PortalUser.DisplayNameProblem(_displayName) ?? _renameError;

    protected override Task OnInitializedAsync() => ReloadAsync();

    private async Task ReloadAsync()
    {
        _user = await Current.UserAsync();
        _displayName = _user?.DisplayName;
    }

    /// <summary>Saves the person's own display name (at most <see cref="PortalUser.MaxDisplayNameLength"/> characters).</summary>
    private async Task RenameAsync()
    {
        _busy = true;
        try
        {
            var user = await Current.UserAsync() ?? throw new DomainException("Your session has ended; log in again.");
            var change = await Administration.RenameAsync(await Current.ActorAsync(), user.Id, _displayName);
            _renameError = change.Succeeded ? null : change.Message;
            if (change.Succeeded)
            {
                Snackbar.Add(change.Message, MudBlazor.Severity.Success);
                await ReloadAsync();
            }
        }
        catch (DomainException ex)
        {
            _renameError = ex.Message;
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task ChangePasswordAsync()
    {
        _busy = true;
        try
        {
            var user = await Current.UserAsync() ?? throw new DomainException("Your session has ended; log in again.");
            var problem = await Accounts.ChangePasswordAsync(user, _current, _next, _confirm);
            _passwordSaved = problem is null;
            _passwordResult = problem ?? "Password changed. Your sessions end, so log in again with the new password.";
            _current = _next = _confirm = null;
            _user = user;
        }
        catch (DomainException ex)
        {
            _passwordSaved = false;
            _passwordResult = ex.Message;
        }
        finally
        {
            _busy = false;
        }
    }
}
