using System.Text.Json;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
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

    public static string WriteRules(IEnumerable<ApprovalRule> rules) =>
        JsonSerializer.Serialize(rules.Select(r => new RuleJson(r.Name, r.Kinds.ToList(), r.MinTargets, r.TagKey, r.TagValue, r.Environments.ToList())).ToList(), Options);

    public static IReadOnlyList<ApprovalRule> ReadRules(string json) =>
        (JsonSerializer.Deserialize<List<RuleJson>>(json, Options) ?? [])
            .Select(r => new ApprovalRule(r.Name, r.Kinds ?? [], r.MinTargets, r.TagKey, r.TagValue) { Environments = r.Environments ?? [] })
            .ToList();

    public static string WriteSpec(LaunchSpec s) =>
        JsonSerializer.Serialize(
            new SpecJson(s.AccountId, s.Region, s.AvailabilityZone, s.InstanceType, s.ImageId, s.SubnetId, s.SecurityGroupIds.ToList(), s.KeyName, s.VolumeSizeGiB,
                s.VolumeType, s.Encrypted, s.RequireImdsV2, s.Hibernation, s.TerminationProtection, s.Name, new Dictionary<string, string>(s.Tags), s.Count),
            Options);

    public static LaunchSpec ReadSpec(string json)
    {
        var s = JsonSerializer.Deserialize<SpecJson>(json, Options) ?? throw new InvalidDataException("A launch template has no configuration.");
        return new LaunchSpec
        {
            AccountId = s.Account, Region = s.Region, AvailabilityZone = s.Zone, InstanceType = s.InstanceType, ImageId = s.ImageId, SubnetId = s.SubnetId,
            SecurityGroupIds = s.SecurityGroupIds ?? [], KeyName = s.KeyName, VolumeSizeGiB = s.VolumeSizeGiB, VolumeType = s.VolumeType, Encrypted = s.Encrypted,
            RequireImdsV2 = s.ImdsV2Required, Hibernation = s.Hibernation, TerminationProtection = s.TerminationProtection, Name = s.Name,
            Tags = s.Tags ?? new Dictionary<string, string>(), Count = s.Count,
        };
    }

    private sealed record RuleJson(string Name, List<string>? Kinds, int MinTargets, string? TagKey, string? TagValue, List<string>? Environments);

    private sealed record SpecJson(
        string Account, string Region, string Zone, string InstanceType, string ImageId, string? SubnetId, List<string>? SecurityGroupIds, string? KeyName,
        int VolumeSizeGiB, string VolumeType, bool Encrypted, bool ImdsV2Required, bool Hibernation, bool TerminationProtection, string? Name,
        Dictionary<string, string>? Tags, int Count);

    private sealed record ScopeJson(string Account, string Region, string? TagKey, string? TagValue);

    private sealed record TargetJson(string Account, string Region, string Instance, string Name, Dictionary<string, string>? Tags);
}
