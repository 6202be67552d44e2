namespace PortalOps.Domain.Instances;

/// <summary>Spots inbound rules that open remote administration (SSH 22, RDP 3389) to the whole internet.</summary>
public static class SecurityRules
{
    private static readonly (int Port, string Name)[] AdminPorts = [(22, "SSH"), (3389, "RDP")];

    public static bool IsWholeInternet(string source) => source is "0.0.0.0/0" or "::/0";

    /// <summary>"port 22 (SSH) from 0.0.0.0/0" for each admin port a rule opens to the internet.</summary>
    public static IEnumerable<string> OpenAdminPorts(SecurityRule rule)
    {
        var open = rule.Sources.Where(IsWholeInternet).ToList();
        if (open.Count == 0)
        {
            return [];
        }

        var all = rule.Protocol is "-1" or "all";
        return AdminPorts
            .Where(p => all || (rule.Protocol is "tcp" or "6" && (rule.FromPort ?? 0) <= p.Port && p.Port <= (rule.ToPort ?? 65535)))
            .Select(p => $"port {p.Port} ({p.Name}) from {string.Join(" and ", open)}");
    }

    public static IEnumerable<string> OpenAdminPorts(SecurityGroupInfo group) => group.Inbound.SelectMany(OpenAdminPorts).Distinct();
}
