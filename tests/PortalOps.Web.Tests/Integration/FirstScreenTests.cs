using System.Net;
using System.Text.RegularExpressions;

namespace PortalOps.Web.Tests.Integration;

/// <summary>The first screen a newcomer sees (login, setup) gets its stylesheets, scripts and icon without a session.</summary>
public sealed partial class FirstScreenTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Theory]
    [InlineData("/login")]
    [InlineData("/setup")]
    public async Task Get_AnonymousFirstScreen_EveryLinkedAssetAnswers(string route)
    {
        using var client = portal.AnonymousClient();
        var html = await (await client.GetAsync(route)).Content.ReadAsStringAsync();

        var assets = AssetReference().Matches(html).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.Contains(assets, a => a.StartsWith("_content/MudBlazor/MudBlazor.min.", StringComparison.Ordinal) && a.EndsWith(".css", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.Contains("_framework/blazor.web.js", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            var response = await client.GetAsync("/" + asset.TrimStart('/'));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {(int)response.StatusCode} {response.Headers.Location}");
        }
    }

    [Theory]
    [InlineData("/app.css", "text/css")]
    [InlineData("/_content/MudBlazor/MudBlazor.min.css", "text/css")]
    [InlineData("/_content/MudBlazor/MudBlazor.min.js", "text/javascript")]
    [InlineData("/_framework/blazor.web.js", "text/javascript")]
    [InlineData("/favicon.svg", "image/svg+xml")]
    public async Task Get_AnonymousStaticAsset_Served(string path, string contentType)
    {
        using var client = portal.AnonymousClient();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Get_LoginPage_LinksTheFavicon()
    {
        using var client = portal.AnonymousClient();

        var html = await (await client.GetAsync("/login")).Content.ReadAsStringAsync();

        Assert.Matches(FaviconLink(), html);
    }

    [Fact]
    public async Task Get_AnonymousPage_StillRedirectsToLogin()
    {
        using var client = portal.AnonymousClient();

        var response = await client.GetAsync("/instances");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [GeneratedRegex("(?:href|src)=\"([^\"]+\\.(?:css|js|svg|ico|png))\"")]
    private static partial Regex AssetReference();

    [GeneratedRegex("<link rel=\"icon\"[^>]*href=\"[^\"]*favicon[^\"]*\"")]
    private static partial Regex FaviconLink();
}
