using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using PortalOps.Domain.Actions;
using PortalOps.Domain.Approvals;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Compliance;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;
using PortalOps.Jobs.Aws;
using PortalOps.Jobs.Compliance;
using PortalOps.Jobs.Tests.Aws.Support;
using PortalOps.Jobs.Tests.Fixtures;

namespace PortalOps.Jobs.Tests.Aws.Compliance;

/// <summary>
/// End to end on moto, wired as the host wires it (AWS provider, database, compliance, the one pipeline): a finding's remediation
/// asked by an Operator waits for approval, another person approves it, exactly that resource changes, and the next scan resolves it.
/// </summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class RemediationPipelineMotoTests(MotoServer moto) : IAsyncLifetime
{
    private const string Ssh = "sg-ssh-open-to-world";
    private TestDatabase _database = null!;
    private IHost _host = null!;

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        _database = await TestDatabase.CreateSqliteAsync();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = _database.DataDirectory, EnvironmentName = Environments.Development });
        builder.Configuration.AddInMemoryCollection(_database.Configuration);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Aws:ServiceUrl"] = moto.Url.ToString(),
            ["Aws:Accounts:0:Id"] = MotoServer.AccountId,
            ["Aws:Accounts:0:DisplayName"] = "Moto",
            ["Aws:Accounts:0:Regions:0"] = "us-east-1",
            ["Aws:MaxAttempts"] = "4",
        });
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }));
        builder.Services.AddLogging();
        builder.Services.AddDomain();
        builder.Services.AddSingleton<IFleetEvents, PortalOps.Jobs.Instances.FleetEvents>();
        Assert.True(builder.Services.AddAwsProvider(builder.Configuration));
        builder.Services.AddPersistence(builder.Configuration, builder.Environment);
        builder.Services.AddCompliance().RemoveAll<ComplianceScanRequests>();
        builder.Services.AddSingleton<IActionScheduler, NoScheduler>();
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task RemediationOfOneFinding_ApprovedThroughThePipeline_ChangesOnlyItsGroupAndTheNextScanResolvesIt()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var target = await OpenSshAsync(ec2, "target");
        var other = await OpenSshAsync(ec2, "other");
        await using var scope = _host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var users = services.GetRequiredService<IUserStore>();
        var olga = new PortalUser(Guid.NewGuid(), "olga", "Olga", Role.Operator, [PortalOps.Domain.Security.Scope.Parse($"{MotoServer.AccountId}/*")], DateTimeOffset.UtcNow);
        var paul = new PortalUser(Guid.NewGuid(), "paul", "Paul", Role.Approver, [PortalOps.Domain.Security.Scope.Everything], DateTimeOffset.UtcNow);
        await users.AddAsync(olga);
        await users.AddAsync(paul);
        var scanner = services.GetRequiredService<ComplianceScanner>();
        var findings = services.GetRequiredService<IFindingStore>();
        await scanner.ScanAsync();
        var everything = new ReadScope([], Everything: true);
        var open = (await findings.QueryAsync(new FindingQuery { PolicyId = Ssh, Status = FindingStatus.Open, VisibleTo = everything })).Items;
        Assert.Equal(new[] { other, target }.Order(), open.Select(f => f.ResourceId).Order());
        var finding = open.Single(f => f.ResourceId == target);

        var plan = await services.GetRequiredService<RemediationPlanner>().PlanAsync(Ssh, Authorizer.ReadScopeOf(olga.AsActor(Channel.Web)), [finding.ResourceId]);
        var pipeline = services.GetRequiredService<ActionPipeline>();
        var asked = await pipeline.SubmitAsync(olga.AsActor(Channel.Web), plan.Request);
        Assert.Equal(ActionStatus.PendingApproval, asked.Status);
        Assert.True(await HasWorldSshAsync(ec2, target), "nothing changes before approval");
        Assert.Equal(ActionStatus.Decided, (await pipeline.ApproveAsync(paul.AsActor(Channel.Web), asked.ApprovalId!.Value, null)).Status);
        var done = await pipeline.ExecuteApprovedAsync(asked.ApprovalId!.Value);

        Assert.Equal(ActionStatus.Executed, done.Status);
        Assert.False(await HasWorldSshAsync(ec2, target));
        Assert.True(await HasWorldSshAsync(ec2, other));
        var audit = (await services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { Action = ActionKind.Remediate.Name, PageSize = 10 })).Items;
        Assert.Contains(audit, r => r.Event.Outcome == AuditOutcome.Succeeded && !string.IsNullOrEmpty(r.Event.AwsRequestId) && r.Event.Target.Contains(target, StringComparison.Ordinal));

        await scanner.ScanAsync();

        Assert.Equal(FindingStatus.Resolved, (await findings.FindAsync(finding.Id, everything))!.Status);
        Assert.Equal([other], (await findings.QueryAsync(new FindingQuery { PolicyId = Ssh, Status = FindingStatus.Open, VisibleTo = everything })).Items.Select(f => f.ResourceId));
    }

    private static IpPermission WorldSsh() => new() { IpProtocol = "tcp", FromPort = 22, ToPort = 22, Ipv4Ranges = [new IpRange { CidrIp = "0.0.0.0/0" }] };

    private static async Task<string> OpenSshAsync(IAmazonEC2 ec2, string name)
    {
        var id = (await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = name, Description = name })).GroupId;
        await ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = id, IpPermissions = [WorldSsh()] });
        return id;
    }

    private static async Task<bool> HasWorldSshAsync(IAmazonEC2 ec2, string groupId)
    {
        var group = (await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [groupId] })).SecurityGroups.Single();
        return (group.IpPermissions ?? []).Any(p => p.FromPort <= 22 && p.ToPort >= 22 && (p.Ipv4Ranges ?? []).Any(r => r.CidrIp == "0.0.0.0/0"));
    }

    /// <summary>The test carries the approved request out itself, so nothing runs behind its back.</summary>
    private sealed class NoScheduler : IActionScheduler
    {
        public void EnqueueApproved(Guid approvalId)
        {
        }
    }
}
