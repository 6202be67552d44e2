using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;

namespace PortalOps.Web.Components.Pages.Instances;

/// <summary>A confirmed action from <see cref="InstanceActionBar"/>: its kind, and the selected instances whose state allows it.</summary>
public sealed record InstanceActionSubmission(ActionKind Kind, IReadOnlyList<InstanceRef> Targets);
