using MudBlazor;
using PortalOps.Domain.Monitoring;
using Severity = PortalOps.Domain.Monitoring.Severity;

namespace PortalOps.Web.Components.Pages.Monitoring;

/// <summary>Colours and words shared by the monitoring pages.</summary>
public static class AlertDisplay
{
    public static Color ColorOf(Severity severity) => severity switch
    {
        Severity.Critical => Color.Error,
        Severity.Warning => Color.Warning,
        Severity.Info => Color.Info,
    };

    public static Color ColorOf(AlertStatus status) => status switch
    {
        AlertStatus.Firing => Color.Error,
        AlertStatus.Notified => Color.Warning,
        AlertStatus.Acknowledged => Color.Info,
        AlertStatus.Resolved => Color.Success,
    };

    public static Color CpuColor(double? cpu) => cpu switch
    {
        >= 90 => Color.Error,
        >= 70 => Color.Warning,
        null => Color.Default,
        _ => Color.Success,
    };

    public static string Bytes(double? value) => value is { } v ? MetricInfo.Of(MetricKind.NetworkIn).Format(v) : "no data";
}
