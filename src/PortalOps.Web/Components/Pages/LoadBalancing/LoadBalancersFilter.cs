using System.Globalization;
using System.Text;
using PortalOps.Domain.LoadBalancing;

namespace PortalOps.Web.Components.Pages.LoadBalancing;

/// <summary>The load balancer list's filters, shared by the page and its CSV export (the same query string).</summary>
public sealed record LoadBalancersFilter
{
    public string? Text { get; init; }

    public string? Region { get; init; }

    public LoadBalancerKind? Kind { get; init; }

    public bool OnlyTrouble { get; init; }

    public LoadBalancerQuery ToQuery(int pageIndex, int pageSize) => new()
    {
        Text = Text, Region = Region, Kind = Kind, OnlyTrouble = OnlyTrouble, PageIndex = pageIndex, PageSize = pageSize,
    };

    public string QueryString()
    {
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(Text))
        {
            parts.Add($"text={Uri.EscapeDataString(Text)}");
        }

        if (!string.IsNullOrWhiteSpace(Region))
        {
            parts.Add($"region={Uri.EscapeDataString(Region)}");
        }

        if (Kind is { } k)
        {
            parts.Add($"kind={k}");
        }

        if (OnlyTrouble)
        {
            parts.Add("trouble=true");
        }

        return parts.Count == 0 ? string.Empty : "?" + string.Join('&', parts);
    }

    /// <summary>The rows as CSV (RFC 4180 quoting), one line per load balancer.</summary>
    public static string ToCsv(IEnumerable<LoadBalancerRow> rows)
    {
        var csv = new StringBuilder("name,type,scheme,dns_name,account,region,state,listeners,target_groups,targets,healthy,unhealthy,draining,groups_without_healthy\r\n");
        foreach (var r in rows)
        {
            var lb = r.LoadBalancer;
            csv.AppendJoin(',', Field(lb.Name), lb.KindLabel, Field(lb.Scheme), Field(lb.DnsName), Field(lb.Scope.AccountId), Field(lb.Scope.Region), Field(lb.State),
                Field(string.Join(' ', lb.Listeners.Select(l => l.ToString()))), Num(r.TargetGroups), Num(r.Targets), Num(r.Healthy), Num(r.Unhealthy), Num(r.Draining), Num(r.GroupsWithoutHealthy));
            csv.Append("\r\n");
        }

        return csv.ToString();
    }

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>Quotes a field, and defuses a leading =, +, - or @ so a spreadsheet does not run it as a formula.</summary>
    private static string Field(string? value)
    {
        var v = value ?? string.Empty;
        if (v.Length > 0 && v[0] is '=' or '+' or '-' or '@')
        {
            v = "'" + v;
        }

        return v.IndexOfAny([',', '"', '\r', '\n']) >= 0 || v != (value ?? string.Empty) ? $"\"{v.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : v;
    }
}
