using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Costs;

/// <summary>
/// The endpoint of a region does not offer the Reserved Instances listing (an emulator without it, a partition without it): the
/// region's reservations are unknown, which is not the same as "none". Real failures (access denied, throttling after retries)
/// are not this.
/// </summary>
public sealed class ReservationsNotReportedException(CloudScope scope, string reason)
    : Exception($"Reserved Instances are not reported by the endpoint of {scope}: {reason}")
{
    public CloudScope Scope { get; } = scope;
}
