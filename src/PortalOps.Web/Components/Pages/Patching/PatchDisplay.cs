using MudBlazor;
using PortalOps.Domain.Patching;

namespace PortalOps.Web.Components.Pages.Patching;

/// <summary>Colours and words the patching pages share.</summary>
internal static class PatchDisplay
{
    public static Color ColorOf(PatchComplianceLevel level) => level switch
    {
        PatchComplianceLevel.Compliant => Color.Success,
        PatchComplianceLevel.NonCompliantCritical => Color.Error,
        PatchComplianceLevel.NonCompliantSecurity => Color.Warning,
        PatchComplianceLevel.NonCompliantOther => Color.Info,
        _ => Color.Default,
    };

    public static string Label(PatchComplianceLevel level) => level switch
    {
        PatchComplianceLevel.Compliant => "compliant",
        PatchComplianceLevel.NonCompliantCritical => "critical missing",
        PatchComplianceLevel.NonCompliantSecurity => "security missing",
        PatchComplianceLevel.NonCompliantOther => "non-compliant",
        _ => "unknown",
    };

    public static Color ColorOf(AgentPing ping) => ping switch
    {
        AgentPing.Online => Color.Success,
        AgentPing.NotRunning => Color.Default,
        _ => Color.Error,
    };

    public static Color ColorOf(PatchRunStatus status) => status switch
    {
        PatchRunStatus.Succeeded => Color.Success,
        PatchRunStatus.Failed or PatchRunStatus.Denied => Color.Error,
        PatchRunStatus.Stopped => Color.Warning,
        _ => Color.Info,
    };

    public static Color ColorOf(PatchTargetStatus status) => status switch
    {
        PatchTargetStatus.Succeeded => Color.Success,
        PatchTargetStatus.Failed => Color.Error,
        PatchTargetStatus.Skipped or PatchTargetStatus.NotStarted => Color.Default,
        _ => Color.Info,
    };

    public static string When(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) : "never";
}
