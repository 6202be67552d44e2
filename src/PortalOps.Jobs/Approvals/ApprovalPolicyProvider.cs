using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;

namespace PortalOps.Jobs.Approvals;

/// <summary>The "Approvals" section.</summary>
public sealed class ApprovalOptions
{
    public const string Section = "Approvals";

    /// <summary>Hours a request waits for a decision before it expires.</summary>
    [Range(0.01, 720)]
    public double LifetimeHours { get; set; } = 24;
}

/// <summary>
/// The rules an Admin saved (read from the database at each action, so every node applies a change at once), or the
/// defaults (Terminate, and bulk actions over 5 instances) when none were saved; with the configured lifetime.
/// </summary>
public sealed class ApprovalPolicyProvider(IOptions<ApprovalOptions> options, IApprovalRuleStore? store = null) : IApprovalPolicyProvider
{
    public async Task<ApprovalPolicy> GetAsync(CancellationToken cancellationToken = default)
    {
        var saved = store is null ? null : await store.LoadAsync(cancellationToken);
        return new ApprovalPolicy(saved?.Rules ?? ApprovalPolicy.DefaultRules, TimeSpan.FromHours(options.Value.LifetimeHours));
    }
}
