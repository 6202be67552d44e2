using PortalOps.Domain.Patching;
using PortalOps.Domain.Security;

namespace PortalOps.Web.Components.Pages.Patching;

/// <summary>
/// The Managed instances page's filters (text, agent online / offline, compliance), shared by the page and its CSV export
/// (<c>/patching/instances.csv</c> with the same query string), so both ask the store the same question.
/// </summary>
public sealed record ManagedInstancesFilter
{
    public const string CsvPath = "/patching/instances.csv";

    public string? Text { get; init; }

    /// <summary>Agent online (true), not online (false) or either (null).</summary>
    public bool? AgentOnline { get; init; }

    public PatchComplianceLevel? Compliance { get; init; }

    /// <summary>The store query for one page of these rows, within <paramref name="scope"/>.</summary>
    public PatchStateQuery ToQuery(ReadScope scope, DateTimeOffset now, int pageIndex, int pageSize) => new(scope)
    {
        Text = string.IsNullOrWhiteSpace(Text) ? null : Text, AgentOnline = AgentOnline, Compliance = Compliance, Now = now, PageIndex = pageIndex, PageSize = pageSize,
    };

    /// <summary>The CSV export's address for these filters.</summary>
    public string CsvUrl()
    {
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(Text))
        {
            parts.Add($"text={Uri.EscapeDataString(Text)}");
        }

        if (AgentOnline is { } online)
        {
            parts.Add(online ? "agent=online" : "agent=offline");
        }

        if (Compliance is { } level)
        {
            parts.Add($"compliance={level}");
        }

        return CsvPath + (parts.Count == 0 ? string.Empty : "?" + string.Join('&', parts));
    }

    /// <summary>The filters from the export's query string; an unknown agent or compliance value is an error that says what is accepted.</summary>
    public static bool TryParse(string? text, string? agent, string? compliance, out ManagedInstancesFilter filter, out string? error)
    {
        filter = new ManagedInstancesFilter { Text = text };
        error = null;
        bool? online;
        switch (agent?.Trim().ToLowerInvariant())
        {
            case null or "" or "all":
                online = null;
                break;
            case "online":
                online = true;
                break;
            case "offline":
                online = false;
                break;
            default:
                error = "agent is all, online or offline.";
                return false;
        }

        PatchComplianceLevel? level = null;
        if (!string.IsNullOrWhiteSpace(compliance))
        {
            if (!Enum.TryParse<PatchComplianceLevel>(compliance.Trim(), ignoreCase: true, out var parsed) || int.TryParse(compliance, out _))
            {
                error = $"compliance is one of {string.Join(", ", Enum.GetNames<PatchComplianceLevel>())}.";
                return false;
            }

            level = parsed;
        }

        filter = filter with { AgentOnline = online, Compliance = level };
        return true;
    }
}
