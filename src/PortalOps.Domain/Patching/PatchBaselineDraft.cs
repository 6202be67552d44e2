using System.Text.RegularExpressions;

namespace PortalOps.Domain.Patching;

/// <summary>
/// What a person typed into the baseline editor. <see cref="Problems"/> names each field that is wrong, so the editor shows the error
/// beside it and nothing is saved: an unknown classification or severity, a delay outside 0–360 days, a patch both approved and rejected.
/// </summary>
public sealed partial record PatchBaselineDraft(
    string? Name,
    string? OperatingSystem,
    IReadOnlyList<string> Classifications,
    IReadOnlyList<string> Severities,
    int ApproveAfterDays,
    IReadOnlyList<string> ApprovedPatches,
    IReadOnlyList<string> RejectedPatches)
{
    public const int MaxApproveAfterDays = 360;

    public const string NameField = nameof(Name);
    public const string OperatingSystemField = nameof(OperatingSystem);
    public const string ClassificationsField = nameof(Classifications);
    public const string SeveritiesField = nameof(Severities);
    public const string ApproveAfterDaysField = nameof(ApproveAfterDays);
    public const string ApprovedPatchesField = nameof(ApprovedPatches);
    public const string RejectedPatchesField = nameof(RejectedPatches);

    /// <summary>Field name → message; empty when the draft may be saved.</summary>
    public IReadOnlyDictionary<string, string> Problems()
    {
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(Name))
        {
            problems[NameField] = "Give the baseline a name.";
        }
        else if (!NamePattern().IsMatch(Name.Trim()))
        {
            problems[NameField] = "A name is 3–128 letters, digits, '_', '-' or '.'.";
        }

        var os = PatchOperatingSystem.Find(OperatingSystem);
        if (os is null)
        {
            problems[OperatingSystemField] = $"'{OperatingSystem}' is not an operating system Patch Manager knows; choose one of {string.Join(", ", PatchOperatingSystem.All.Select(o => o.Name))}.";
        }
        else
        {
            if (Classifications.Count == 0)
            {
                problems[ClassificationsField] = "Choose at least one classification.";
            }
            else if (Classifications.FirstOrDefault(c => !os.Classifications.Contains(c.Trim(), StringComparer.Ordinal)) is { } c)
            {
                problems[ClassificationsField] = $"'{c}' is not a {os.Label} classification; known: {string.Join(", ", os.Classifications)}.";
            }

            if (Severities.Count == 0)
            {
                problems[SeveritiesField] = "Choose at least one severity.";
            }
            else if (Severities.FirstOrDefault(s => !os.Severities.Contains(s.Trim(), StringComparer.Ordinal)) is { } s)
            {
                problems[SeveritiesField] = $"'{s}' is not a {os.Label} severity; known: {string.Join(", ", os.Severities)}.";
            }
        }

        if (ApproveAfterDays is < 0 or > MaxApproveAfterDays)
        {
            problems[ApproveAfterDaysField] = $"Auto-approval waits 0 to {MaxApproveAfterDays} days.";
        }

        if (ApprovedPatches.FirstOrDefault(p => !PatchPattern().IsMatch(p.Trim())) is { } badApproved)
        {
            problems[ApprovedPatchesField] = $"'{badApproved}' is not a patch name (KB1234567, a package name or name-version).";
        }

        if (RejectedPatches.FirstOrDefault(p => !PatchPattern().IsMatch(p.Trim())) is { } badRejected)
        {
            problems[RejectedPatchesField] = $"'{badRejected}' is not a patch name (KB1234567, a package name or name-version).";
        }
        else if (RejectedPatches.FirstOrDefault(p => ApprovedPatches.Contains(p.Trim(), StringComparer.OrdinalIgnoreCase)) is { } both)
        {
            problems[RejectedPatchesField] = $"'{both}' is both approved and rejected; keep it in one list.";
        }

        return problems;
    }

    [GeneratedRegex(@"^[a-zA-Z0-9_\-.]{3,128}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[a-zA-Z0-9_\-.:+*~]{1,100}$")]
    private static partial Regex PatchPattern();
}
