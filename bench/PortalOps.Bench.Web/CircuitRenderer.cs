using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.RenderTree;
using Microsoft.Extensions.Logging;
using Microsoft.JSInterop;
using MudBlazor;
using InstancesPage = PortalOps.Web.Components.Pages.Instances.Instances;

namespace PortalOps.Bench.Web;

/// <summary>
/// What a Blazor Server circuit holds on the server, without the network: a renderer over a DI scope, the component tree and
/// its render tree frames. <see cref="UpdateDisplayAsync"/> is where the server would send the diff to the browser; here it
/// only counts bytes of nothing and completes, so OnAfterRender runs as in a circuit (MudDataGrid loads its server data there).
/// </summary>
internal sealed class CircuitRenderer(IServiceProvider services, ILoggerFactory loggerFactory) : Renderer(services, loggerFactory)
{
    public override Dispatcher Dispatcher { get; } = Dispatcher.CreateDefault();

    public int Batches { get; private set; }

    public Task OpenAsync(IComponent root) => Dispatcher.InvokeAsync(async () =>
    {
        var id = AssignRootComponentId(root);
        await RenderRootComponentAsync(id, ParameterView.Empty);
    });

    protected override void HandleException(Exception exception) => throw exception;

    protected override Task UpdateDisplayAsync(in RenderBatch renderBatch)
    {
        Batches++;
        return Task.CompletedTask;
    }
}

/// <summary>The layout's part that matters here: MudBlazor's providers, then the Instances page (unless <see cref="ProvidersOnly"/>).</summary>
internal sealed class PageRoot(bool providersOnly = false) : ComponentBase
{
    public PageRoot()
        : this(false)
    {
    }

    public bool ProvidersOnly => providersOnly;

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenComponent<MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<MudDialogProvider>(1);
        builder.CloseComponent();
        builder.OpenComponent<MudSnackbarProvider>(2);
        builder.CloseComponent();
        if (!providersOnly)
        {
            builder.OpenComponent<InstancesPage>(3);
            builder.CloseComponent();
        }
    }
}

/// <summary>Creates components as Blazor does and remembers the ones the benchmark drives (the grid and the search box).</summary>
internal sealed class RecordingActivator : IComponentActivator
{
    public MudDataGrid<PortalOps.Domain.Instances.Instance>? Grid { get; private set; }

    public MudTextField<string>? Search { get; private set; }

    public IComponent CreateInstance(Type componentType)
    {
        var component = (IComponent)Activator.CreateInstance(componentType)!;
        switch (component)
        {
            case MudDataGrid<PortalOps.Domain.Instances.Instance> grid:
                Grid = grid;
                break;
            case MudTextField<string> text when Search is null:
                Search = text;
                break;
        }

        return component;
    }
}

/// <summary>The signed-in person of every benchmark circuit.</summary>
internal sealed class FixedAuthentication(ClaimsPrincipal principal) : AuthenticationStateProvider
{
    public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(principal));
}

/// <summary>No browser: JavaScript calls answer with defaults, as bUnit's loose mode does.</summary>
internal sealed class NoBrowser : IJSRuntime
{
    public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) => ValueTask.FromResult(default(TValue)!);

    public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) => ValueTask.FromResult(default(TValue)!);
}

/// <summary>A fixed address, as a circuit's navigation manager has once it started.</summary>
internal sealed class FixedNavigation : NavigationManager
{
    public FixedNavigation() => Initialize("http://127.0.0.1:5080/", "http://127.0.0.1:5080/instances");

    protected override void NavigateToCore(string uri, bool forceLoad) => Uri = ToAbsoluteUri(uri).ToString();
}
