using PortalOps.Domain.Actions;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Costs;

/// <summary>What a recommendation proposes.</summary>
public enum RecommendationKind
{
    /// <summary>A smaller (or newer, cheaper) type for an instance that uses little of what it has.</summary>
    Rightsize,

    /// <summary>Stop an idle instance (or give it an off-hours schedule).</summary>
    StopIdle,

    /// <summary>Move a previous-generation type to its current-generation successor of the same size.</summary>
    Modernize,

    /// <summary>Delete an EBS volume that is attached to nothing.</summary>
    DeleteVolume,

    /// <summary>Release an Elastic IP that is associated with nothing (billed while idle).</summary>
    ReleaseAddress,

    /// <summary>Convert a gp2 volume to gp3: the same or better performance for 20 % less.</summary>
    ConvertToGp3,

    /// <summary>Run a stateless instance (tagged so, or in an Auto Scaling group) on Spot capacity.</summary>
    Spot,

    /// <summary>Buy Reserved Instances for a steady on-demand baseline (Cost Explorer's purchase recommendation).</summary>
    ReservedInstances,

    /// <summary>Commit to a Compute Savings Plan (Cost Explorer's purchase recommendation).</summary>
    SavingsPlans,

    /// <summary>Delete a snapshot kept beyond the backup policy's retention.</summary>
    OldSnapshot,
}

/// <summary>How sure the rule is, from how complete its evidence was.</summary>
public enum Confidence
{
    Low,
    Medium,
    High,
}

/// <summary>
/// One thing to change, its estimated monthly saving (USD, list prices), how sure the rule is, and the evidence it decided on.
/// <see cref="Key"/> names the kind and the resource, so the same finding on another day is the same recommendation (and a
/// dismissal of it holds).
/// </summary>
public sealed record Recommendation(
    RecommendationKind Kind,
    InstanceRef Resource,
    string ResourceName,
    IReadOnlyDictionary<string, string> Tags,
    string? CurrentType,
    string? TargetType,
    decimal MonthlySaving,
    Confidence Confidence,
    IReadOnlyList<string> Evidence)
{
    public string Key => KeyOf(Kind, Resource);

    public string AccountId => Resource.AccountId;

    public string Region => Resource.Region;

    public string ResourceId => Resource.InstanceId;

    public Footprint Footprint => new(Resource.AccountId, Resource.Region, Tags);

    public static string KeyOf(RecommendationKind kind, InstanceRef resource) => $"{kind}:{resource}";

    /// <summary>
    /// The action that carries the recommendation out, through the pipeline; null for the purchase and Spot recommendations,
    /// which are decisions PortalOps informs but does not take (buying a commitment, relaunching on Spot).
    /// </summary>
    public ActionKind? Action => Kind switch
    {
        RecommendationKind.Spot or RecommendationKind.ReservedInstances or RecommendationKind.SavingsPlans => null,
        RecommendationKind.OldSnapshot => ActionKind.DeleteSnapshots,
        RecommendationKind.Rightsize or RecommendationKind.Modernize => ActionKind.ResizeInstances,
        RecommendationKind.StopIdle => ActionKind.StopInstances,
        RecommendationKind.DeleteVolume => ActionKind.DeleteVolumes,
        RecommendationKind.ReleaseAddress => ActionKind.ReleaseAddresses,
        RecommendationKind.ConvertToGp3 => ActionKind.ModifyVolumes,
    };

    /// <summary>The request that applies it.</summary>
    public ActionRequest ToRequest(string? reason = null) =>
        new(Action ?? throw new InvalidOperationException($"{Label(Kind)} recommendations are not applied by PortalOps."), [Resource], reason ?? $"Cost recommendation: {Describe()}")
        {
            Parameters = Kind switch
            {
                RecommendationKind.Rightsize or RecommendationKind.Modernize => new Dictionary<string, string> { [ResizeParameters.InstanceType] = TargetType ?? string.Empty },
                RecommendationKind.ConvertToGp3 => new Dictionary<string, string> { [ResizeParameters.VolumeType] = "gp3" },
                _ => new Dictionary<string, string>(),
            },
            IdempotencyKey = null,
        };

    /// <summary>One line for people: "Resize web-01 from m5.xlarge to m5.large".</summary>
    public string Describe()
    {
        var name = string.IsNullOrEmpty(ResourceName) ? ResourceId : ResourceName;
        return Kind switch
        {
            RecommendationKind.Rightsize => $"Resize {name} from {CurrentType} to {TargetType}",
            RecommendationKind.Modernize => $"Move {name} from previous-generation {CurrentType} to {TargetType}",
            RecommendationKind.StopIdle => $"Stop idle {name} ({CurrentType})",
            RecommendationKind.DeleteVolume => $"Delete unattached volume {name} ({CurrentType})",
            RecommendationKind.ReleaseAddress => $"Release idle Elastic IP {name}",
            RecommendationKind.ConvertToGp3 => $"Convert volume {name} from gp2 to gp3",
            RecommendationKind.Spot => $"Run {name} ({CurrentType}) on Spot",
            RecommendationKind.ReservedInstances => $"Reserve {TargetType} in {Region}",
            RecommendationKind.SavingsPlans => $"Commit to a Compute Savings Plan of {TargetType}",
            RecommendationKind.OldSnapshot => $"Delete old snapshot {name} ({CurrentType})",
        };
    }

    public static string Label(RecommendationKind kind) => kind switch
    {
        RecommendationKind.Rightsize => "Rightsize",
        RecommendationKind.StopIdle => "Stop idle",
        RecommendationKind.Modernize => "Previous generation",
        RecommendationKind.DeleteVolume => "Unattached volume",
        RecommendationKind.ReleaseAddress => "Idle Elastic IP",
        RecommendationKind.ConvertToGp3 => "gp2 → gp3",
        RecommendationKind.Spot => "Spot",
        RecommendationKind.ReservedInstances => "Reserved Instances",
        RecommendationKind.SavingsPlans => "Savings Plans",
        RecommendationKind.OldSnapshot => "Old snapshot",
    };

    /// <summary>Whether Apply can carry it out (false: a purchase or a Spot move, which the evidence explains how to make).</summary>
    public bool Applicable => Action is not null;

    /// <summary>
    /// Whether an off-hours schedule is a remedy: an idle instance may be stopped, or run only in the hours it is needed
    /// (<see cref="RecommendationSchedules"/> attaches the schedule through the pipeline).
    /// </summary>
    public bool Schedulable => Kind == RecommendationKind.StopIdle;
}

/// <summary>Parameter names of the resize and volume-modify actions.</summary>
public static class ResizeParameters
{
    /// <summary>The instance type to resize to.</summary>
    public const string InstanceType = "instanceType";

    /// <summary>The volume type to convert to.</summary>
    public const string VolumeType = "volumeType";

    /// <summary>When a resize runs: absent or "now", "at" (with <see cref="NotBefore"/>), or "window" (the next maintenance window).</summary>
    public const string When = "when";

    /// <summary>An ISO 8601 UTC time before which the resize does not run.</summary>
    public const string NotBefore = "notBefore";

    /// <summary>Reads the timing parameters; returns a problem to show when they do not make sense.</summary>
    public static string? TimingOf(IReadOnlyDictionary<string, string> parameters, out ResizeTiming timing, out DateTimeOffset? notBefore)
    {
        notBefore = null;
        timing = ResizeTiming.Now;
        var when = parameters.GetValueOrDefault(When)?.Trim().ToLowerInvariant();
        if (parameters.GetValueOrDefault(NotBefore) is { Length: > 0 } text)
        {
            if (!DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
            {
                return $"'{text}' is not a time (use ISO 8601, e.g. 2026-12-05T02:00:00Z)";
            }

            notBefore = at.ToUniversalTime();
        }

        switch (when)
        {
            case null or "" or "now":
                timing = notBefore is null ? ResizeTiming.Now : ResizeTiming.At;
                return null;
            case "at":
                timing = ResizeTiming.At;
                return notBefore is null ? "A resize at a chosen time needs the time (notBefore)." : null;
            case "window":
                timing = ResizeTiming.MaintenanceWindow;
                return null;
            default:
                return $"'{when}' is not a timing (now, at, window).";
        }
    }
}
