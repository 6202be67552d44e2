using System.Reflection;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests;

/// <summary>
/// The fast run (<c>--filter "Category!=Peer"</c>) leaves out every test that needs a peer process (moto, PostgreSQL, botocore's
/// models from Python); these tests keep that filter honest as test classes are added.
/// </summary>
public sealed class PeerTraitTests
{
    [Fact]
    public void TestClasses_ThatStartPeers_CarryThePeerTrait()
    {
        var unmarked = TestClasses(typeof(PeerTraitTests).Assembly)
            .Where(NeedsPeer)
            .Where(t => !HasPeerTrait(t))
            .Select(t => t.FullName)
            .ToList();

        Assert.True(unmarked.Count == 0, $"Mark these with [Trait(\"Category\", \"Peer\")]: {string.Join(", ", unmarked)}");
    }

    [Fact]
    public void PeerTrait_OnThisAssembly_MarksMotoAndPostgresClassesButNotSqliteOnes()
    {
        var classes = TestClasses(typeof(PeerTraitTests).Assembly).ToList();

        Assert.Contains(classes, t => t.Name == "FaultTests" && HasPeerTrait(t));
        Assert.Contains(classes, t => t.Name == "PostgresEfAuditLogTests" && HasPeerTrait(t));
        Assert.Contains(classes, t => t.Name == "SqliteEfAuditLogTests" && !HasPeerTrait(t));
        Assert.Contains(classes, t => t.Name == nameof(PeerTraitTests) && !HasPeerTrait(t));
    }

    internal static IEnumerable<Type> TestClasses(Assembly assembly) =>
        assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }
            && t.GetMethods(BindingFlags.Public | BindingFlags.Instance).Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()));

    internal static bool HasPeerTrait(Type type) =>
        type.GetCustomAttributesData().Any(a => a.AttributeType == typeof(TraitAttribute)
            && a.ConstructorArguments is [{ Value: "Category" }, { Value: "Peer" }]);

    private static bool NeedsPeer(Type type) =>
        type.Name.Contains("Postgres", StringComparison.Ordinal)
        || type.Name.Contains("Moto", StringComparison.Ordinal)
        || type.Name.Contains("DynamoDb", StringComparison.Ordinal)
        || type.Name.Contains("Botocore", StringComparison.Ordinal)
        || type.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(MotoServer)))
        || type.GetCustomAttributesData().Any(a => a.AttributeType == typeof(CollectionAttribute)
            && a.ConstructorArguments is [{ Value: MotoCollection.Name }]);
}
