using Microsoft.Extensions.DependencyInjection;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Patching;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests.Aws.Services;

/// <summary>
/// The SSM patching calls: SendCommand AWS-RunPatchBaseline (Scan and Install) against moto, and the three calls moto lacks through
/// <see cref="SsmPatchingStub"/> in front of it.
/// </summary>
[Trait("Category", "Peer")]
[Collection(MotoCollection.Name)]
public sealed class SsmPatchingTests(MotoServer moto) : IAsyncLifetime
{
    private static readonly CloudScope Scope = new(MotoServer.AccountId, "us-east-1");

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task RunPatchBaseline_ScanAndInstall_SentThroughMoto()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var ids = await MotoAws.LaunchAsync(ec2, 2, "app");
        await using var services = MotoAws.Provider(moto.Url);
        var ssm = services.GetRequiredService<IRemoteCommands>();

        var (scan, scanRequest) = await ssm.SendAsync(Scope, ids, PatchRunEngine.Document, new Dictionary<string, IReadOnlyList<string>> { ["Operation"] = ["Scan"] }, "PortalOps patch scan");
        var (install, _) = await ssm.SendAsync(Scope, ids, PatchRunEngine.Document,
            new Dictionary<string, IReadOnlyList<string>> { ["Operation"] = ["Install"], ["RebootOption"] = ["NoReboot"] }, "PortalOps patch run");
        Assert.False(string.IsNullOrEmpty(scan));
        Assert.False(string.IsNullOrEmpty(scanRequest));
        Assert.NotEqual(scan, install);

        using var client = new Amazon.SimpleSystemsManagement.AmazonSimpleSystemsManagementClient(new Amazon.Runtime.BasicAWSCredentials("test", "test"),
            new Amazon.SimpleSystemsManagement.AmazonSimpleSystemsManagementConfig { ServiceURL = moto.Url.ToString(), AuthenticationRegion = "us-east-1" });
        var listed = await client.ListCommandsAsync(new Amazon.SimpleSystemsManagement.Model.ListCommandsRequest { CommandId = install });
        var command = Assert.Single(listed.Commands);
        Assert.Equal(PatchRunEngine.Document, command.DocumentName);
        Assert.Equal("Install", command.Parameters["Operation"].Single());
        Assert.Equal("NoReboot", command.Parameters["RebootOption"].Single());
        Assert.Equal(ids.Order(), command.InstanceIds.Order());
    }

    [Fact]
    public async Task StubbedReads_PageInformation_Ask50IdsAtMost_ReadInvocationsInOneCallPer50()
    {
        using var ec2 = MotoAws.Ec2(moto.Url);
        var ids = await MotoAws.LaunchAsync(ec2, 3, "app");
        await using var proxy = await LoopbackProxy.StartAsync(moto.Url);
        var stub = new SsmPatchingStub();
        stub.InstanceIds.AddRange(ids);
        stub.InstanceIds.AddRange(Enumerable.Range(0, 117).Select(n => $"i-{n:x17}"));
        stub.Offline.Add(ids[1]);
        stub.InvocationStatus[ids[2]] = "Failed";
        stub.Install(proxy);
        await using var services = MotoAws.Provider(proxy.Url);
        var ssm = services.GetRequiredService<IRemoteCommands>();

        var managed = await ssm.ManagedInstancesAsync(Scope);
        Assert.Equal(120, managed.Count);
        Assert.Equal(3, proxy.CallsTo("DescribeInstanceInformation"));
        Assert.Equal("ConnectionLost", managed.Single(m => m.InstanceId == ids[1]).PingStatus);

        var states = await ssm.PatchStatesAsync(Scope, stub.InstanceIds);
        Assert.Equal(120, states.Count);
        Assert.Equal([50, 50, 20], stub.PatchStateRequestSizes);
        var one = states.Single(s => s.InstanceId == ids[0]);
        Assert.Equal((3, 1, 2, 1, 1, "web"), (one.Missing, one.CriticalNonCompliant, one.SecurityNonCompliant, one.OtherNonCompliant, one.InstalledPendingReboot, one.PatchGroup));

        var (commandId, _) = await ssm.SendAsync(Scope, ids, PatchRunEngine.Document, new Dictionary<string, IReadOnlyList<string>> { ["Operation"] = ["Install"] }, "PortalOps patch run");
        var invocations = await ssm.InvocationsAsync(Scope, commandId);
        Assert.Equal(120, invocations.Count);
        Assert.Equal(3, proxy.CallsTo("ListCommandInvocations"));
        var failed = invocations.Single(i => i.InstanceId == ids[2]);
        Assert.Equal(("Failed", 1), (failed.Status, failed.ResponseCode));
        Assert.Contains("Installed 3 patches", invocations[0].Output, StringComparison.Ordinal);
    }

    [Fact]
    public void StubAnswers_UseOnlyMembersOfBotocoreOutputShapes()
    {
        var shapes = BotocoreModels.Load("ssm", "2014-11-06")["shapes"]!.AsObject();
        HashSet<string> Members(string shape) => shapes[shape]!["members"]!.AsObject().Select(m => m.Key).ToHashSet(StringComparer.Ordinal);

        Assert.Subset(Members("InstanceInformation"), new HashSet<string>(StringComparer.Ordinal) { "InstanceId", "PingStatus", "LastPingDateTime", "AgentVersion", "IsLatestVersion", "PlatformType", "PlatformName",
            "PlatformVersion", "ResourceType", "IPAddress", "ComputerName" });
        Assert.Subset(Members("InstancePatchState"), new HashSet<string>(StringComparer.Ordinal) { "InstanceId", "PatchGroup", "BaselineId", "SnapshotId", "InstalledCount", "InstalledOtherCount", "InstalledPendingRebootCount",
            "InstalledRejectedCount", "MissingCount", "FailedCount", "UnreportedNotApplicableCount", "NotApplicableCount", "OperationStartTime", "OperationEndTime", "Operation",
            "RebootOption", "CriticalNonCompliantCount", "SecurityNonCompliantCount", "OtherNonCompliantCount" });
        Assert.Subset(Members("CommandInvocation"), new HashSet<string>(StringComparer.Ordinal) { "CommandId", "InstanceId", "InstanceName", "Comment", "DocumentName", "DocumentVersion", "RequestedDateTime", "Status",
            "StatusDetails", "TraceOutput", "StandardOutputUrl", "StandardErrorUrl", "CommandPlugins", "ServiceRole" });
        Assert.Subset(Members("CommandPlugin"), new HashSet<string>(StringComparer.Ordinal) { "Name", "Status", "StatusDetails", "ResponseCode", "ResponseStartDateTime", "ResponseFinishDateTime", "Output",
            "StandardOutputUrl", "StandardErrorUrl", "OutputS3Region", "OutputS3BucketName", "OutputS3KeyPrefix" });
        Assert.Subset(Members("ListCommandInvocationsResult"), new HashSet<string>(StringComparer.Ordinal) { "CommandInvocations", "NextToken" });
        Assert.Subset(Members("DescribeInstanceInformationResult"), new HashSet<string>(StringComparer.Ordinal) { "InstanceInformationList", "NextToken" });
        Assert.Equal(50, shapes["InstanceIdList"]!["max"]!.GetValue<int>());
    }
}
