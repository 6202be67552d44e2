using Microsoft.AspNetCore.Components;

namespace PortalOps.Web.Components.Pages.Audit;

/// <summary>The audit page's filter fields. Each change updates <see cref="Filter"/> and tells the page.</summary>
public sealed partial class AuditFilters
{
    [Parameter, EditorRequired]
    public required AuditFilter Filter { get; set; }

    [Parameter]
    public EventCallback OnChanged { get; set; }

    private Task SetAsync(Action change)
    {
        change();
        return OnChanged.InvokeAsync();
    }

    private Task ClearAsync()
    {
        Filter.Clear();
        return OnChanged.InvokeAsync();
    }
}
