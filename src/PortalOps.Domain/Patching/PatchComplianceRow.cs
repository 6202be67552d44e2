namespace PortalOps.Domain.Patching;

public enum PatchComplianceDimension
{
    Instance,
    Group,
    Account,
    Region,
}

/// <summary>Counts of instances by compliance for one key (an instance, group, account or region).</summary>
public sealed record PatchComplianceRow(string Key, int Compliant, int Critical, int Security, int Other, int Unknown)
{
    public int Total => Compliant + Critical + Security + Other + Unknown;

    public int NonCompliant => Critical + Security + Other;

    /// <summary>Compliant share of the instances whose state is known, in percent (null when none is known).</summary>
    public double? CompliantPercent => Total - Unknown == 0 ? null : 100.0 * Compliant / (Total - Unknown);

    public static PatchComplianceRow Of(string key, IEnumerable<PatchComplianceLevel> levels)
    {
        int c = 0, cr = 0, s = 0, o = 0, u = 0;
        foreach (var l in levels)
        {
            switch (l)
            {
                case PatchComplianceLevel.Compliant: c++; break;
                case PatchComplianceLevel.NonCompliantCritical: cr++; break;
                case PatchComplianceLevel.NonCompliantSecurity: s++; break;
                case PatchComplianceLevel.NonCompliantOther: o++; break;
                default: u++; break;
            }
        }

        return new PatchComplianceRow(key, c, cr, s, o, u);
    }
}
