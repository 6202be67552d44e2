using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using PortalOps.Web.Components.Pages.Compliance;
using PortalOps.Web.Security;

namespace PortalOps.Web.Tests.Components.Pages.Compliance;

/// <summary>Every compliance page opens for anyone signed in; what they may change is decided inside, by the Authorizer.</summary>
public sealed class CompliancePagePoliciesTests
{
    [Theory]
    [InlineData(typeof(PolicyList), "/compliance/policies")]
    [InlineData(typeof(FindingDetail), "/compliance/findings/{Id:guid}")]
    [InlineData(typeof(ExceptionsPage), "/compliance/exceptions")]
    public void Page_Route_IsForViewersAndUp(Type page, string route)
    {
        Assert.Equal(route, page.GetCustomAttribute<RouteAttribute>()?.Template);
        Assert.Equal(Policies.Viewer, page.GetCustomAttribute<AuthorizeAttribute>()?.Policy);
    }

    [Fact]
    public void PolicyEditor_BothRoutes_AreForViewersAndUp()
    {
        Assert.Equal(["/compliance/policies/new", "/compliance/policies/{PolicyId}"], typeof(PolicyEditorPage).GetCustomAttributes<RouteAttribute>().Select(r => r.Template));
        Assert.Equal(Policies.Viewer, typeof(PolicyEditorPage).GetCustomAttribute<AuthorizeAttribute>()?.Policy);
    }
}
