using System.Text.Json;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Persistence;

/// <summary>The JSON shapes of columns that hold lists: explicit records, so a rename in the domain cannot silently change stored data.</summary>
internal static class PersistenceJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string WriteScopes(IEnumerable<Scope> scopes) =>
        JsonSerializer.Serialize(scopes.Select(s => new ScopeJson(s.Account, s.Region, s.TagKey, s.TagValue)).ToList(), Options);

    public static IReadOnlyList<Scope> ReadScopes(string json) =>
        (JsonSerializer.Deserialize<List<ScopeJson>>(json, Options) ?? [])
            .Select(s => new Scope(s.Account, s.Region, s.TagKey, s.TagValue))
            .ToList();

    public static string WriteTargets(IEnumerable<ResolvedTarget> targets) =>
        JsonSerializer.Serialize(
            targets.Select(t => new TargetJson(t.Ref.AccountId, t.Ref.Region, t.Ref.InstanceId, t.Name, new Dictionary<string, string>(t.Tags))).ToList(),
            Options);

    public static IReadOnlyList<ResolvedTarget> ReadTargets(string json) =>
        (JsonSerializer.Deserialize<List<TargetJson>>(json, Options) ?? [])
            .Select(t => new ResolvedTarget(new InstanceRef(t.Account, t.Region, t.Instance), t.Name, t.Tags ?? new Dictionary<string, string>()))
            .ToList();

    public static string WriteParameters(IReadOnlyDictionary<string, string> parameters) =>
        JsonSerializer.Serialize(new Dictionary<string, string>(parameters), Options);

    public static IReadOnlyDictionary<string, string> ReadParameters(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json, Options) ?? new Dictionary<string, string>();

    private sealed record ScopeJson(string Account, string Region, string? TagKey, string? TagValue);

    private sealed record TargetJson(string Account, string Region, string Instance, string Name, Dictionary<string, string>? Tags);
}
