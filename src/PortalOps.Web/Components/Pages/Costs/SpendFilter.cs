using System.Globalization;
using PortalOps.Domain.Costs;

namespace PortalOps.Web.Components.Pages.Costs;

/// <summary>The spend view's question, shared by the page and its CSV export (the same query string).</summary>
public sealed record SpendFilter
{
    public DateOnly From { get; init; }

    public DateOnly To { get; init; }

    public SpendGranularity Granularity { get; init; } = SpendGranularity.Daily;

    public SpendDimension GroupBy { get; init; } = SpendDimension.Service;

    /// <summary>The cost-allocation tag to group by, when <see cref="GroupBy"/> is Tag.</summary>
    public string? TagKey { get; init; }

    /// <summary>One account, or all the person may see.</summary>
    public string? Account { get; init; }

    /// <summary>The last 30 days, daily, by service.</summary>
    public static SpendFilter Default(DateOnly today) => new() { From = today.AddDays(-30), To = today.AddDays(1) };

    public SpendQuery ToQuery() => new(From, To, Granularity, GroupBy, string.IsNullOrWhiteSpace(Account) ? [] : [Account], GroupBy == SpendDimension.Tag ? TagKey?.Trim() : null);

    public string QueryString()
    {
        var parts = new List<string>
        {
            $"from={From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}",
            $"to={To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}",
            $"granularity={Granularity}",
            $"groupBy={GroupBy}",
        };
        if (GroupBy == SpendDimension.Tag && !string.IsNullOrWhiteSpace(TagKey))
        {
            parts.Add($"tag={Uri.EscapeDataString(TagKey.Trim())}");
        }

        if (!string.IsNullOrWhiteSpace(Account))
        {
            parts.Add($"account={Uri.EscapeDataString(Account)}");
        }

        return "?" + string.Join('&', parts);
    }
}
