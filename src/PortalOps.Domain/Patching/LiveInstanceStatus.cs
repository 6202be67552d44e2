using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;

namespace PortalOps.Domain.Patching;

/// <summary>What EC2 says about an instance right now: its state and its two status checks (system and instance).</summary>
public sealed record LiveInstanceStatus(InstanceRef Instance, InstanceState State, CheckStatus System, CheckStatus InstanceCheck)
{
    public bool Impaired => System == CheckStatus.Impaired || InstanceCheck == CheckStatus.Impaired;

    /// <summary>Stopping, stopped, shutting down or terminated: the instance is not serving, whatever its checks say.</summary>
    public bool Down => State is InstanceState.Stopping or InstanceState.Stopped or InstanceState.ShuttingDown or InstanceState.Terminated;

    /// <summary>Still starting, or a check not settled yet (initializing, insufficient data): not known to be healthy.</summary>
    public bool Settling => State == InstanceState.Pending || System is CheckStatus.Initializing or CheckStatus.InsufficientData
        || InstanceCheck is CheckStatus.Initializing or CheckStatus.InsufficientData;
}
