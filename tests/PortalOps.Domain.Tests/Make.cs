using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Tests;

/// <summary>Small builders for the values every test needs.</summary>
internal static class Make
{
    public const string ProdAccount = "123456789012";
    public const string DevAccount = "210987654321";

    public static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Tags written as "key=value".</summary>
    public static IReadOnlyDictionary<string, string> Tags(params string[] pairs) =>
        pairs.Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    public static Instance Instance(
        string id,
        string account = ProdAccount,
        string region = "eu-west-1",
        string? name = null,
        InstanceState state = InstanceState.Running,
        string type = "t3.micro",
        DateTimeOffset? launched = null,
        string? privateIp = null,
        string[]? tags = null) =>
        new(
            new InstanceRef(account, region, id),
            name ?? id,
            type,
            state,
            region + "a",
            "Linux/UNIX",
            launched ?? Now.AddDays(-1),
            Tags(tags ?? []),
            [],
            privateIp);

    public static ResolvedTarget Target(Instance instance) => new(instance.Ref, instance.Name, instance.Tags);

    public static ResolvedTarget Target(string id, string account = ProdAccount, string region = "eu-west-1", params string[] tags) =>
        Target(Instance(id, account, region, tags: tags));

    public static Actor Actor(string name, Role role, params Scope[] scopes) =>
        new(Guid.NewGuid(), name, role, scopes, Channel.Web);

    public static Actor Actor(string name, Role role, string scope) => Actor(name, role, Scope.Parse(scope));

    public static PortalUser User(string name, Role role, params string[] scopes) =>
        new(Guid.NewGuid(), name, name, role, scopes.Select(Scope.Parse), Now.AddDays(-30));
}
