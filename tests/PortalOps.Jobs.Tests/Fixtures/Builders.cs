using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Tests.Fixtures;

/// <summary>Small builders for domain objects the tests store.</summary>
public static class Builders
{
    public static readonly DateTimeOffset Epoch = new(2025, 3, 14, 9, 26, 53, TimeSpan.Zero);

    public static Actor Requester { get; } = new(Guid.Parse("0a000000-0000-0000-0000-000000000001"), "rita", Role.Operator, [Scope.Everything], Channel.Web);

    public static Actor Approver { get; } = new(Guid.Parse("0b000000-0000-0000-0000-000000000002"), "alice", Role.Approver, [Scope.Everything], Channel.Web);

    public static Actor SecondApprover { get; } = new(Guid.Parse("0c000000-0000-0000-0000-000000000003"), "bob", Role.Approver, [Scope.Everything], Channel.Telegram);

    /// <summary>Stores the requester and both approvers as users, so that an approved request is authorized again at execution.</summary>
    public static async Task AddPeopleAsync(IUserStore users)
    {
        foreach (var actor in new[] { Requester, Approver, SecondApprover })
        {
            if (await users.FindAsync(actor.UserId) is null)
            {
                await users.AddAsync(new PortalUser(actor.UserId, actor.Name, actor.Name, actor.Role, actor.Scopes, Epoch.AddDays(-30)));
            }
        }
    }

    public static ApprovalRequest PendingStop(DateTimeOffset now, int targets = 2) => new(
        Guid.NewGuid(),
        ActionKind.StopInstances,
        Enumerable.Range(1, targets)
            .Select(i => new ResolvedTarget(
                new InstanceRef("123456789012", "eu-west-1", $"i-{i:x17}"),
                $"web-{i}",
                new Dictionary<string, string> { ["env"] = "prod", ["team"] = $"t{i}" }))
            .ToList(),
        new Dictionary<string, string> { ["force"] = "false", ["note"] = "nightly \"stop\" ✓" },
        Requester,
        "Bulk actions over 5 instances need approval",
        "Saving money overnight",
        now,
        TimeSpan.FromHours(24));
}
