using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;
using PortalOps.Web.Components.Pages.Monitoring;
using PortalOps.Web.Tests.Fakes;

namespace PortalOps.Web.Tests.Components.Pages.Monitoring;

public sealed class MaintenanceTests : PortalTestContext
{
    private readonly MemoryWindows _windows = new();

    public MaintenanceTests()
    {
        Services.AddSingleton<IMaintenanceWindowStore>(_windows);
        Services.AddSingleton<IAlertRuleStore>(new FakeAlertRuleStore());
        Services.AddScoped<MaintenanceWindows>();
    }

    [Fact]
    public void Add_TagScopeWithoutValue_SaysKeyEqualsValueAtTheFieldAndAddsNothing()
    {
        SignIn("olga", Role.Operator);
        var page = RenderPage<Maintenance>();

        page.Find("[data-testid=window-name]").Input("patch night");
        page.Find("[data-testid=window-scope-value]").Input("env");

        page.WaitForAssertion(() => Assert.Contains("is not key=value", page.Find("[data-testid=window-scope-value]").Closest(".mud-input-control")!.TextContent, StringComparison.Ordinal));
        page.Find("[data-testid=window-add]").Click();
        page.WaitForAssertion(() => Assert.Contains("key=value", page.Find("[data-testid=window-error]").TextContent, StringComparison.Ordinal));
        Assert.Empty(_windows.All);

        page.Find("[data-testid=window-scope-value]").Input("env=staging");
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".mud-input-error")));
        page.Find("[data-testid=window-add]").Click();
        page.WaitForAssertion(() => Assert.Single(_windows.All));
        Assert.Equal(new RuleScope(ScopeKind.Tag, "env=staging"), _windows.All[0].Scope);
    }

    private sealed class MemoryWindows : IMaintenanceWindowStore
    {
        public List<MaintenanceWindow> All { get; } = [];

        public Task<IReadOnlyList<MaintenanceWindow>> ListAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<MaintenanceWindow>>(All.Where(w => w.EndsAt > now).ToList());

        public Task AddAsync(MaintenanceWindow window, CancellationToken cancellationToken = default)
        {
            All.Add(window);
            return Task.CompletedTask;
        }

        public Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default) => Task.FromResult(All.RemoveAll(w => w.Id == id) > 0);
    }
}
