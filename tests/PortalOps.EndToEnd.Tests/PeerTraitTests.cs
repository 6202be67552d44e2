using System.Reflection;

namespace PortalOps.EndToEnd.Tests;

/// <summary>Every end-to-end test drives Chromium (and often moto or the OIDC provider), so every one is left out of the fast run.</summary>
[Trait("Category", "Peer")]
public sealed class PeerTraitTests
{
    [Fact]
    public void EveryTestClass_InThisAssembly_CarriesThePeerTrait()
    {
        var unmarked = typeof(PeerTraitTests).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false }
                && t.GetMethods(BindingFlags.Public | BindingFlags.Instance).Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()))
            .Where(t => !t.GetCustomAttributesData().Any(a => a.AttributeType == typeof(TraitAttribute)
                && a.ConstructorArguments is [{ Value: "Category" }, { Value: "Peer" }]))
            .Select(t => t.FullName)
            .ToList();

        Assert.True(unmarked.Count == 0, $"Mark these with [Trait(\"Category\", \"Peer\")]: {string.Join(", ", unmarked)}");
    }
}
