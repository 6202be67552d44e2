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

/// <summary>The default rules (Terminate, and bulk actions over 5 instances) with the configured lifetime.</summary>
public sealed class ApprovalPolicyProvider(IOptions<ApprovalOptions> options) : IApprovalPolicyProvider
{
    public Task<ApprovalPolicy> GetAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(new ApprovalPolicy(ApprovalPolicy.Default.Rules, TimeSpan.FromHours(options.Value.LifetimeHours)));
}
