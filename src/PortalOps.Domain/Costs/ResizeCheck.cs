using PortalOps.Domain.Instances;

namespace PortalOps.Domain.Costs;

/// <summary>
/// Whether an instance may be resized to a type, decided before anything changes: the type must exist in the availability zone,
/// run the architecture of the instance's image (an x86_64 AMI does not boot on Graviton, nor the reverse), and use the same
/// virtualization (paravirtual-only families take no HVM image).
/// </summary>
public sealed class ResizeCheck(IInventory inventory, ICloudResources resources)
{
    private static readonly HashSet<string> ParavirtualOnly = new(StringComparer.Ordinal) { "t1", "m1", "m2", "c1" };

    /// <summary>Null when allowed; otherwise the reason, fit to show.</summary>
    public async Task<string?> RefusalAsync(InstanceRef target, string? instanceType, CancellationToken cancellationToken = default)
    {
        var instance = await inventory.FindAsync(target, cancellationToken);
        if (instance is null)
        {
            return $"Instance {target.InstanceId} does not exist.";
        }

        var offerings = await resources.InstanceTypeOfferingsAsync(new CloudScope(target.AccountId, target.Region), cancellationToken);
        return Refusal(instance, instanceType, offerings);
    }

    /// <summary>The pure rule: null when <paramref name="instanceType"/> is a fit for <paramref name="instance"/>.</summary>
    public static string? Refusal(Instance instance, string? instanceType, IReadOnlyCollection<InstanceTypeOffering> offerings)
    {
        var type = instanceType?.Trim() ?? string.Empty;
        if (type.Length == 0 || !type.Contains('.', StringComparison.Ordinal))
        {
            return "Name the instance type to resize to (for example m5.large).";
        }

        if (type == instance.InstanceType)
        {
            return $"{instance.Name} is already {type}.";
        }

        if (instance.State is InstanceState.Terminated or InstanceState.ShuttingDown)
        {
            return $"{instance.Name} is terminated.";
        }

        var now = InstanceSpecs.ArchitectureOf(instance.InstanceType);
        var then = InstanceSpecs.ArchitectureOf(type);
        if (now != then)
        {
            return $"{type} is {Name(then)} but {instance.Name} runs an {Name(now)} image ({instance.ImageId ?? "its AMI"}); choose an {Name(now)} type.";
        }

        if (ParavirtualOnly.Contains(type.Split('.')[0]) != ParavirtualOnly.Contains(instance.InstanceType.Split('.')[0]))
        {
            return $"{type} needs a paravirtual image; {instance.Name}'s image is HVM.";
        }

        var offered = offerings.Where(o => o.InstanceType == type).ToList();
        if (offerings.Count > 0 && !offered.Any(o => o.Location == instance.AvailabilityZone || o.Location == instance.Region))
        {
            return $"{type} is not offered in {instance.AvailabilityZone}.";
        }

        if (offerings.Count == 0 && InstanceSpecs.Find(type) is null)
        {
            return $"{type} is not an instance type PortalOps knows, and the region's offerings could not be read.";
        }

        return null;
    }

    private static string Name(CpuArchitecture a) => a switch
    {
        CpuArchitecture.X86_64 => "x86_64",
        CpuArchitecture.Arm64 => "arm64",
    };
}
