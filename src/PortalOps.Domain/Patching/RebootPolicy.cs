namespace PortalOps.Domain.Patching;

/// <summary>What AWS-RunPatchBaseline does after installing: its <c>RebootOption</c> parameter.</summary>
public enum RebootPolicy
{
    /// <summary>Reboot when a patch needs it (<c>RebootIfNeeded</c>); load-balanced instances are drained first.</summary>
    RebootIfNeeded,

    /// <summary>Never reboot (<c>NoReboot</c>); patches needing one stay installed-pending-reboot.</summary>
    NoReboot,
}
