using PortalOps.Domain.Scaling;

namespace PortalOps.Web.Components.Pages.Scaling;

/// <summary>Addresses of the scaling pages and the CSV export.</summary>
public static class ScalingLinks
{
    public static string Group(GroupRef group) =>
        $"/scaling/{Uri.EscapeDataString(group.AccountId)}/{Uri.EscapeDataString(group.Region)}/{Uri.EscapeDataString(group.Name)}";

    public static string Csv(string? text, string? region, bool unsettled)
    {
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(text))
        {
            parts.Add($"text={Uri.EscapeDataString(text)}");
        }

        if (!string.IsNullOrWhiteSpace(region))
        {
            parts.Add($"region={Uri.EscapeDataString(region)}");
        }

        if (unsettled)
        {
            parts.Add("unsettled=true");
        }

        return "/scaling/groups.csv" + (parts.Count == 0 ? string.Empty : "?" + string.Join("&", parts));
    }
}
