using Amazon.EC2;
using Amazon.EC2.Model;
using PortalOps.Domain.Accounts;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Common;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Provisioning;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Aws.Compliance;
using PortalOps.Jobs.Compliance;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests.Aws.Compliance;

[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class AwsRemediationMotoTests(MotoServer moto) : IAsyncLifetime
{
    private static readonly CloudScope East = new(MotoServer.AccountId, "us-east-1");
    private static readonly ReadScope Everything = new([], Everything: true);

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task PlanThenApply_ChangesOnlyThePlannedResourcesThatStillMatch_AndTheNextReadNoLongerFlagsThem()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var planned = await OpenSshAsync(ec2, "planned");
        var fixedMeanwhile = await OpenSshAsync(ec2, "fixed-meanwhile");
        var parts = Parts(BuiltInPolicies.All);

        var plan = await parts.Planner.PlanAsync("sg-ssh-open-to-world", Everything);
        Assert.Equal(new[] { fixedMeanwhile, planned }.Order(), plan.Resources.Select(r => r.Id).Order());
        Assert.Equal(RemediationPlanner.ApprovalName, plan.Request.RequireApproval);

        // Between approval and execution: one planned group is fixed by hand, and a new group starts matching.
        await ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest { GroupId = fixedMeanwhile, IpPermissions = [Ssh()] });
        var newcomer = await OpenSshAsync(ec2, "newcomer");
        var targets = new List<ResolvedTarget>();
        foreach (var t in plan.Request.Targets)
        {
            targets.Add((await parts.Executor.ResolveAsync(ActionKind.Remediate, t, CancellationToken.None))!);
        }

        var result = await parts.Executor.ExecuteAsync(ActionKind.Remediate, targets, plan.Request.Parameters, "remediate-1", CancellationToken.None);

        Assert.True(result.Succeeded, result.Summary);
        Assert.Contains("changed 1", result.Summary, StringComparison.Ordinal);
        Assert.Contains($"no longer matched and were left alone ({fixedMeanwhile})", result.Summary, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(result.RequestId));
        var after = PolicyEvaluator.Evaluate(BuiltInPolicies.All, new ComplianceInventory(await parts.Source.ReadAsync(East), [East]), new EvaluationContext(DateTimeOffset.UtcNow, []));
        var ssh = after.Violations.Where(v => v.Policy.Id == "sg-ssh-open-to-world").Select(v => v.Resource.Id).ToList();
        Assert.Equal([newcomer], ssh);
    }

    [Fact]
    public async Task Remediations_OnMoto_EachFixesItsResource()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var image = await MotoAws.AnyImageIdAsync(ec2);
        var instance = (await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = image, MinCount = 1, MaxCount = 1, InstanceType = InstanceType.T3Micro,
            MetadataOptions = new InstanceMetadataOptionsRequest { HttpTokens = HttpTokensState.Optional },
        })).Reservation.Instances[0].InstanceId;
        var volume = (await ec2.CreateVolumeAsync(new CreateVolumeRequest { AvailabilityZone = "us-east-1a", Size = 1 })).Volume.VolumeId;
        var snapshot = (await ec2.CreateSnapshotAsync(new CreateSnapshotRequest { VolumeId = volume })).Snapshot.SnapshotId;
        await ec2.ModifySnapshotAttributeAsync(new ModifySnapshotAttributeRequest { SnapshotId = snapshot, Attribute = SnapshotAttributeName.CreateVolumePermission, OperationType = OperationType.Add, GroupNames = ["all"] });
        var ami = (await ec2.CreateImageAsync(new CreateImageRequest { InstanceId = instance, Name = "shared-image" })).ImageId;
        await ec2.ModifyImageAttributeAsync(new ModifyImageAttributeRequest { ImageId = ami, LaunchPermission = new LaunchPermissionModifications { Add = [new LaunchPermission { Group = PermissionGroup.All }] } });
        var address = (await ec2.AllocateAddressAsync(new AllocateAddressRequest { Domain = DomainType.Vpc })).AllocationId;
        var parts = Parts(BuiltInPolicies.All);
        var required = new[] { "Owner" };
        var before = await parts.Source.ReadAsync(East);

        foreach (var (policyId, id) in new[]
        {
            ("instance-imdsv1-allowed", instance), ("snapshot-public", snapshot), ("image-public", ami), ("region-ebs-default-encryption-off", "us-east-1"),
            ("instance-required-tags-missing", instance), ("eip-unassociated", address), ("volume-unattached", volume),
        })
        {
            var policy = BuiltInPolicies.All.Single(p => p.Id == policyId);
            await new AwsRemediator(TestAws.Clients(TestAws.Options(moto.Url))).ApplyAsync(policy.Remediation!, before.Single(r => r.Id == id && r.Type == policy.Resource), required);
        }

        var after = PolicyEvaluator.Evaluate(BuiltInPolicies.All, new ComplianceInventory(await parts.Source.ReadAsync(East), [East]), new EvaluationContext(DateTimeOffset.UtcNow, required));
        var left = after.Violations.Select(v => (v.Policy.Id, v.Resource.Id)).ToList();
        Assert.DoesNotContain(("instance-imdsv1-allowed", instance), left);
        Assert.DoesNotContain(("snapshot-public", snapshot), left);
        Assert.DoesNotContain(("image-public", ami), left);
        Assert.DoesNotContain(("region-ebs-default-encryption-off", "us-east-1"), left);
        Assert.DoesNotContain(("instance-required-tags-missing", instance), left);
        Assert.DoesNotContain(("eip-unassociated", address), left);
        Assert.Empty((await ec2.DescribeVolumesAsync(new DescribeVolumesRequest { Filters = [new Filter("volume-id", [volume])] })).Volumes ?? []);
        Assert.Contains((await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { OwnerIds = ["self"] })).Snapshots, s => s.VolumeId == volume && s.SnapshotId != snapshot);
    }

    [Fact]
    public async Task Plan_MoreMatchesThanMaxResources_IsRefusedBeforeAnythingIsAsked()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        await OpenSshAsync(ec2, "a");
        await OpenSshAsync(ec2, "b");
        var strict = BuiltInPolicies.All.Select(p => p.Id == "sg-ssh-open-to-world" ? p with { MaxResources = 1 } : p).ToList();

        var refusal = await Assert.ThrowsAsync<DomainException>(() => Parts(strict).Planner.PlanAsync("sg-ssh-open-to-world", Everything));

        Assert.StartsWith("2 resources match sg-ssh-open-to-world, more than its max-resources of 1: refused.", refusal.Message, StringComparison.Ordinal);
    }

    private (AwsComplianceSource Source, RemediationPlanner Planner, RemediationExecutor Executor) Parts(IReadOnlyList<Policy> policies)
    {
        var clients = TestAws.Clients(TestAws.Options(moto.Url));
        var source = new AwsComplianceSource(clients, TestAws.Core());
        var policySource = new Policies(policies);
        return (source, new RemediationPlanner(source, new Cloud(), policySource, new Tags(), TimeProvider.System),
            new RemediationExecutor(source, policySource, new AwsRemediator(clients), new Tags(), TimeProvider.System));
    }

    private static IpPermission Ssh() => new() { IpProtocol = "tcp", FromPort = 22, ToPort = 22, Ipv4Ranges = [new IpRange { CidrIp = "0.0.0.0/0" }] };

    private static async Task<string> OpenSshAsync(IAmazonEC2 ec2, string name)
    {
        var id = (await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = name, Description = name })).GroupId;
        await ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = id, IpPermissions = [Ssh()] });
        return id;
    }

    private sealed class Policies(IReadOnlyList<Policy> policies) : IPolicySource
    {
        public Task<IReadOnlyList<Policy>> CurrentAsync(CancellationToken cancellationToken = default) => Task.FromResult(policies);
    }

    private sealed class Tags : ITagGovernance
    {
        public IReadOnlyList<string> RequiredTagKeys { get; } = [];
    }

    private sealed class Cloud : ICloudProvider
    {
        public string Name => "AWS";

        public bool IsSandbox => false;

        public IReadOnlyList<CloudAccount> Accounts { get; } = [new(MotoServer.AccountId, "Moto", ["us-east-1"])];
    }
}
