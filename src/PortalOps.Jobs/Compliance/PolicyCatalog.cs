using PortalOps.Domain.Accounts;
using PortalOps.Domain.Common;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;

namespace PortalOps.Jobs.Compliance;

/// <summary>A policy as the policies page lists it: in force, where it came from, its version and switch.</summary>
public sealed record PolicyEntry(Policy Policy, bool BuiltIn, int Version, string Author, DateTimeOffset? SavedAt);

/// <summary>What saving (or trying) a policy gave: the errors with their lines, or the version saved.</summary>
public sealed record PolicySave(IReadOnlyList<PolicyError> Errors, PolicyVersion? Saved)
{
    public bool Succeeded => Errors.Count == 0 && Saved is not null;
}

/// <summary>What a dry run found: the resources that would match now (first <see cref="Listed"/>), out of how many of the type.</summary>
public sealed record DryRun(IReadOnlyList<PolicyError> Errors, IReadOnlyList<Violation> Matches, int Evaluated, IReadOnlyList<string> FailedScopes)
{
    public const int Listed = 200;
}

/// <summary>
/// The policies in force (the built-in pack, overridden by any stored version of the same id, and the stored ones), editing with
/// versions and author, dry runs over a fresh read, and import/export as YAML files. Nothing is saved unless the document reads.
/// </summary>
public sealed class PolicyCatalog(IPolicyStore store, IComplianceSource source, ICloudProvider cloud, ITagGovernance tags, TimeProvider clock) : IPolicySource
{
    public async Task<IReadOnlyList<Policy>> CurrentAsync(CancellationToken cancellationToken = default) =>
        (await ListAsync(cancellationToken).ConfigureAwait(false)).Select(e => e.Policy).ToList();

    public async Task<IReadOnlyList<PolicyEntry>> ListAsync(CancellationToken cancellationToken = default)
    {
        var stored = await store.LatestAsync(cancellationToken).ConfigureAwait(false);
        var disabled = await store.DisabledAsync(cancellationToken).ConfigureAwait(false);
        var entries = new Dictionary<string, PolicyEntry>(StringComparer.Ordinal);
        foreach (var p in BuiltInPolicies.All)
        {
            entries[p.Id] = new PolicyEntry(p, BuiltIn: true, Version: 0, Author: "PortalOps", SavedAt: null);
        }

        foreach (var v in stored)
        {
            // A stored version that no longer reads (the language moved on) keeps the last good meaning out of force rather than guessing.
            if (PolicyYaml.Read(v.Source).Policy is { } p)
            {
                entries[p.Id] = new PolicyEntry(p, entries.ContainsKey(p.Id) && BuiltInPolicies.All.Any(b => b.Id == p.Id), v.Version, v.Author, v.CreatedAt);
            }
        }

        return entries.Values
            .Select(e => e with { Policy = e.Policy with { Enabled = e.Policy.Enabled && !disabled.Contains(e.Policy.Id) } })
            .OrderByDescending(e => e.Policy.Severity).ThenBy(e => e.Policy.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>Reads the document and, when it reads, stores it as the policy's next version by <paramref name="author"/>.</summary>
    public async Task<PolicySave> SaveAsync(string yaml, string author, CancellationToken cancellationToken = default)
    {
        var read = PolicyYaml.Read(yaml);
        if (read.Policy is not { } policy)
        {
            return new PolicySave(read.Errors, null);
        }

        var versions = await store.VersionsAsync(policy.Id, cancellationToken).ConfigureAwait(false);
        var version = new PolicyVersion(policy.Id, (versions.Count == 0 ? 0 : versions[0].Version) + 1, yaml, author, clock.GetUtcNow());
        await store.AddVersionAsync(version, cancellationToken).ConfigureAwait(false);
        return new PolicySave([], version);
    }

    public Task SetEnabledAsync(string policyId, bool enabled, string changedBy, CancellationToken cancellationToken = default) =>
        store.SetEnabledAsync(policyId, enabled, changedBy, cancellationToken);

    public Task<IReadOnlyList<PolicyVersion>> VersionsAsync(string policyId, CancellationToken cancellationToken = default) =>
        store.VersionsAsync(policyId, cancellationToken);

    /// <summary>What the document would match right now, read fresh from every account × region, without saving anything.</summary>
    public async Task<DryRun> DryRunAsync(string yaml, CancellationToken cancellationToken = default)
    {
        var read = PolicyYaml.Read(yaml);
        if (read.Policy is not { } policy)
        {
            return new DryRun(read.Errors, [], 0, []);
        }

        var resources = new List<ComplianceResource>();
        var scanned = new List<CloudScope>();
        var failed = new List<string>();
        foreach (var scope in cloud.Accounts.SelectMany(a => a.Regions.Select(r => new CloudScope(a.Id, r))))
        {
            try
            {
                resources.AddRange(await source.ReadAsync(scope, cancellationToken).ConfigureAwait(false));
                scanned.Add(scope);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed.Add($"{scope}: {ex.GetType().Name}");
            }
        }

        var result = PolicyEvaluator.Evaluate([policy with { Enabled = true }], new ComplianceInventory(resources, scanned), new EvaluationContext(clock.GetUtcNow(), tags.RequiredTagKeys));
        return new DryRun([], result.Violations.Take(DryRun.Listed).ToList(), result.Tallies.Sum(t => t.Evaluated), failed);
    }

    /// <summary>The YAML of every policy in force, as files (name → text) for export.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ExportAsync(CancellationToken cancellationToken = default) =>
        (await ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(e => $"{e.Policy.Id}.yaml", e => e.Policy.Source, StringComparer.Ordinal);

    /// <summary>Imports files; each is read on its own, and only those that read are saved. Returns the errors by file.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<PolicyError>>> ImportAsync(IReadOnlyDictionary<string, string> files, string author, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, IReadOnlyList<PolicyError>>(StringComparer.Ordinal);
        foreach (var (name, text) in files)
        {
            var saved = await SaveAsync(text, author, cancellationToken).ConfigureAwait(false);
            if (!saved.Succeeded)
            {
                errors[name] = saved.Errors;
            }
        }

        return errors;
    }
}
