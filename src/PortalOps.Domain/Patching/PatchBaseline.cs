using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Patching;

/// <summary>
/// Which patches an operating system's instances should have: the classifications and severities approved automatically after a delay,
/// and patches named explicitly as approved or rejected. Every edit makes a new version; old versions stay for the record.
/// </summary>
public sealed class PatchBaseline
{
    private PatchBaseline()
    {
        Name = string.Empty;
        OperatingSystem = PatchOperatingSystem.AmazonLinux2023;
        UpdatedByName = string.Empty;
    }

    public Guid Id { get; private init; }

    /// <summary>1 for a new baseline, one more for each edit.</summary>
    public int Version { get; private init; }

    public string Name { get; private init; }

    public PatchOperatingSystem OperatingSystem { get; private init; }

    public IReadOnlyList<string> Classifications { get; private init; } = [];

    public IReadOnlyList<string> Severities { get; private init; } = [];

    /// <summary>Days after its release that a patch of an approved classification and severity is approved.</summary>
    public int ApproveAfterDays { get; private init; }

    public IReadOnlyList<string> ApprovedPatches { get; private init; } = [];

    public IReadOnlyList<string> RejectedPatches { get; private init; } = [];

    public Guid UpdatedBy { get; private init; }

    public string UpdatedByName { get; private init; }

    public DateTimeOffset UpdatedAt { get; private init; }

    public static PatchBaseline Create(PatchBaselineDraft draft, Actor actor, DateTimeOffset now) => Build(Guid.CreateVersion7(now), 1, draft, actor, now);

    /// <summary>The next version of this baseline with the draft's content.</summary>
    public PatchBaseline Revise(PatchBaselineDraft draft, Actor actor, DateTimeOffset now)
    {
        if (PatchOperatingSystem.Find(draft.OperatingSystem) is { } os && os != OperatingSystem)
        {
            throw new PatchBaselineException(new Dictionary<string, string> { [PatchBaselineDraft.OperatingSystemField] = "A baseline keeps its operating system; make a new baseline for another one." });
        }

        return Build(Id, Version + 1, draft, actor, now);
    }

    public static PatchBaseline FromStore(Guid id, int version, string name, string operatingSystem, IReadOnlyList<string> classifications, IReadOnlyList<string> severities,
        int approveAfterDays, IReadOnlyList<string> approved, IReadOnlyList<string> rejected, Guid updatedBy, string updatedByName, DateTimeOffset updatedAt) =>
        new()
        {
            Id = id, Version = version, Name = name, OperatingSystem = PatchOperatingSystem.Find(operatingSystem) ?? PatchOperatingSystem.AmazonLinux2023,
            Classifications = classifications, Severities = severities, ApproveAfterDays = approveAfterDays, ApprovedPatches = approved, RejectedPatches = rejected,
            UpdatedBy = updatedBy, UpdatedByName = updatedByName, UpdatedAt = updatedAt,
        };

    /// <summary>Whether a patch should be installed under this baseline at <paramref name="now"/>.</summary>
    public bool Approves(AvailablePatch patch, DateTimeOffset now)
    {
        if (RejectedPatches.Contains(patch.Name, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        if (ApprovedPatches.Contains(patch.Name, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        return Classifications.Contains(patch.Classification, StringComparer.Ordinal)
            && Severities.Contains(patch.Severity, StringComparer.Ordinal)
            && patch.ReleasedAt.AddDays(ApproveAfterDays) <= now;
    }

    public PatchBaselineDraft ToDraft() => new(Name, OperatingSystem.Name, Classifications, Severities, ApproveAfterDays, ApprovedPatches, RejectedPatches);

    /// <summary>One line for the audit log.</summary>
    public string Describe() =>
        $"{Name} v{Version} ({OperatingSystem.Name}): {string.Join("/", Classifications)}; {string.Join("/", Severities)}; after {ApproveAfterDays} d; +{ApprovedPatches.Count} −{RejectedPatches.Count}";

    private static PatchBaseline Build(Guid id, int version, PatchBaselineDraft draft, Actor actor, DateTimeOffset now)
    {
        if (actor.Role < Role.Operator)
        {
            throw new DomainException($"{actor.Name} is {actor.Role}; baselines are edited by Operators and above.");
        }

        var problems = draft.Problems();
        if (problems.Count > 0)
        {
            throw new PatchBaselineException(problems);
        }

        static IReadOnlyList<string> Clean(IEnumerable<string> values) => values.Select(v => v.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return new PatchBaseline
        {
            Id = id, Version = version, Name = draft.Name!.Trim(), OperatingSystem = PatchOperatingSystem.Find(draft.OperatingSystem)!,
            Classifications = Clean(draft.Classifications), Severities = Clean(draft.Severities), ApproveAfterDays = draft.ApproveAfterDays,
            ApprovedPatches = Clean(draft.ApprovedPatches), RejectedPatches = Clean(draft.RejectedPatches),
            UpdatedBy = actor.UserId, UpdatedByName = actor.Name, UpdatedAt = now,
        };
    }
}
