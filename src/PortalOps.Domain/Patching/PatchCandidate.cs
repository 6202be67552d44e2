using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Patching;

/// <summary>An instance that may be in a run, with what Systems Manager says about its agent.</summary>
public sealed record PatchCandidate(Instance Instance, AgentStatus Agent);
