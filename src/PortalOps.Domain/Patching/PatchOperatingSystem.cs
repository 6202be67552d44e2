namespace PortalOps.Domain.Patching;

/// <summary>
/// An operating system a patch baseline is for, with the classifications and severities Patch Manager knows for it
/// (the values <c>CreatePatchBaseline</c> accepts in its <c>PatchFilter</c>s). Anything else is refused at the field.
/// </summary>
public sealed record PatchOperatingSystem(string Name, string Label, IReadOnlyList<string> Classifications, IReadOnlyList<string> Severities)
{
    private static readonly string[] LinuxSeverities = ["Critical", "Important", "Medium", "Low", "None"];

    public static readonly PatchOperatingSystem AmazonLinux2023 = new("AMAZON_LINUX_2023", "Amazon Linux 2023", ["Security", "Bugfix", "Enhancement", "Recommended", "Newpackage"], LinuxSeverities);
    public static readonly PatchOperatingSystem AmazonLinux2 = new("AMAZON_LINUX_2", "Amazon Linux 2", ["Security", "Bugfix", "Enhancement", "Recommended", "Newpackage"], LinuxSeverities);
    public static readonly PatchOperatingSystem RedHat = new("REDHAT_ENTERPRISE_LINUX", "Red Hat Enterprise Linux", ["Security", "Bugfix", "Enhancement", "Recommended", "Newpackage"], LinuxSeverities);
    public static readonly PatchOperatingSystem Ubuntu = new("UBUNTU", "Ubuntu Server", ["Security", "Updates"], ["Required", "Important", "Standard", "Optional", "Extra"]);
    public static readonly PatchOperatingSystem Windows = new("WINDOWS", "Windows Server",
        ["CriticalUpdates", "SecurityUpdates", "DefinitionUpdates", "Drivers", "FeaturePacks", "ServicePacks", "Tools", "UpdateRollups", "Updates", "Upgrades"],
        ["Critical", "Important", "Moderate", "Low", "Unspecified"]);

    public static IReadOnlyList<PatchOperatingSystem> All { get; } = [AmazonLinux2023, AmazonLinux2, RedHat, Ubuntu, Windows];

    public static PatchOperatingSystem? Find(string? name) =>
        All.FirstOrDefault(o => string.Equals(o.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The operating system of an instance's platform text (EC2 "Linux/UNIX", "Windows", an SSM platform name).</summary>
    public static PatchOperatingSystem ForPlatform(string? platform)
    {
        var p = platform ?? string.Empty;
        if (p.Contains("windows", StringComparison.OrdinalIgnoreCase))
        {
            return Windows;
        }

        if (p.Contains("ubuntu", StringComparison.OrdinalIgnoreCase))
        {
            return Ubuntu;
        }

        if (p.Contains("red hat", StringComparison.OrdinalIgnoreCase) || p.Contains("rhel", StringComparison.OrdinalIgnoreCase))
        {
            return RedHat;
        }

        return p.Contains("Amazon Linux 2", StringComparison.OrdinalIgnoreCase) && !p.Contains("2023", StringComparison.Ordinal) ? AmazonLinux2 : AmazonLinux2023;
    }

    public override string ToString() => Name;
}
