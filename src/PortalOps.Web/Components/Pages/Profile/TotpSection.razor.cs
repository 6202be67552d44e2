using Microsoft.AspNetCore.Components;
using PortalOps.Domain.Security;
using PortalOps.Web.Security;

namespace PortalOps.Web.Components.Pages.Profile;

/// <summary>Turns the authenticator on (secret shown once, saved only after a right code) and off (needs a current code).</summary>
public sealed partial class TotpSection
{
    private (string Secret, string Uri)? _pending;
    private string? _code;
    private string? _error;
    private string? _saved;
    private bool _busy;

    [Inject]
    public required TwoFactor TwoFactor { get; init; }

    [Parameter, EditorRequired]
    public required PortalUser User { get; set; }

    [Parameter]
    public EventCallback OnChanged { get; set; }

    private void Begin()
    {
        _pending = TwoFactor.Begin(User.UserName);
        _code = _error = _saved = null;
    }

    private void Cancel()
    {
        _pending = null;
        _code = _error = null;
    }

    private async Task ConfirmAsync()
    {
        if (_pending is not { } pending)
        {
            return;
        }

        await RunAsync(() => TwoFactor.EnableAsync(User.Id, pending.Secret, _code), "The authenticator is on. Your sessions end; log in again with a code.");
    }

    private Task DisableAsync() => RunAsync(() => TwoFactor.DisableAsync(User.Id, _code), "The authenticator is off. Your sessions end; log in again.");

    private async Task RunAsync(Func<Task<string?>> change, string done)
    {
        _busy = true;
        try
        {
            _error = await change();
            if (_error is null)
            {
                _pending = null;
                _code = null;
                _saved = done;
                await OnChanged.InvokeAsync();
            }
        }
        finally
        {
            _busy = false;
        }
    }
}
