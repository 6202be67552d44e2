using System.Text.Json;
using System.Text.Json.Nodes;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests.Aws.Services;

/// <summary>
/// A loopback stub for the SSM calls moto 5.2.1 lacks — DescribeInstanceInformation, DescribeInstancePatchStates and
/// ListCommandInvocations — answering with the botocore model's output shapes, paged the way AWS pages them (NextToken),
/// and refusing more than 50 instance ids per DescribeInstancePatchStates as AWS does. Every other call goes on to moto.
/// </summary>
public sealed class SsmPatchingStub
{
    public const int InformationPageSize = 50;

    public List<int> PatchStateRequestSizes { get; } = [];

    public List<string> InvocationsAskedFor { get; } = [];

    /// <summary>Instances the stub reports; those in <see cref="Offline"/> answer ConnectionLost.</summary>
    public List<string> InstanceIds { get; } = [];

    public HashSet<string> Offline { get; } = [];

    public Dictionary<string, string> InvocationStatus { get; } = [];

    /// <summary>
    /// The instances a command was sent to (for example read back from moto's ListCommands); when null every instance in
    /// <see cref="InstanceIds"/> answers for every command.
    /// </summary>
    public Func<string, IReadOnlyList<string>>? CommandTargets { get; set; }

    public void Install(LoopbackProxy proxy)
    {
        proxy.Stub("AmazonSSM.DescribeInstanceInformation", body =>
        {
            var start = Token(body);
            var page = InstanceIds.Skip(start).Take(InformationPageSize).ToList();
            return Answer(new
            {
                InstanceInformationList = page.Select(id => new
                {
                    InstanceId = id, PingStatus = Offline.Contains(id) ? "ConnectionLost" : "Online", LastPingDateTime = 1.7e9, AgentVersion = "3.3.40.0",
                    IsLatestVersion = true, PlatformType = "Linux", PlatformName = "Amazon Linux", PlatformVersion = "2023", ResourceType = "EC2Instance",
                    IPAddress = "10.0.0.10", ComputerName = "ip-10-0-0-10.ec2.internal",
                }),
                NextToken = start + InformationPageSize < InstanceIds.Count ? (start + InformationPageSize).ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
            });
        });
        proxy.Stub("AmazonSSM.DescribeInstancePatchStates", body =>
        {
            var requested = JsonNode.Parse(body)!["InstanceIds"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
            lock (PatchStateRequestSizes)
            {
                PatchStateRequestSizes.Add(requested.Count);
            }

            if (requested.Count > 50)
            {
                throw new InvalidOperationException("ValidationException: InstanceIds has more than 50 members.");
            }

            return Answer(new
            {
                InstancePatchStates = requested.Select(id => new
                {
                    InstanceId = id, PatchGroup = "web", BaselineId = "pb-0c10e65780EXAMPLE", SnapshotId = "a3f5ff34-9bc4-4d2c-a665-4d1c1EXAMPLE",
                    InstalledCount = 45, InstalledOtherCount = 396, InstalledPendingRebootCount = 1, InstalledRejectedCount = 0, MissingCount = 3, FailedCount = 0,
                    UnreportedNotApplicableCount = 0, NotApplicableCount = 4, OperationStartTime = 1.7e9, OperationEndTime = 1.7e9 + 120, Operation = "Scan",
                    RebootOption = "NoReboot", CriticalNonCompliantCount = 1, SecurityNonCompliantCount = 2, OtherNonCompliantCount = 1,
                }),
            });
        });
        proxy.Stub("AmazonSSM.ListCommandInvocations", body =>
        {
            var request = JsonNode.Parse(body)!;
            var commandId = request["CommandId"]!.GetValue<string>();
            lock (InvocationsAskedFor)
            {
                InvocationsAskedFor.Add(commandId);
            }

            var start = Token(body);
            var size = request["MaxResults"]?.GetValue<int>() ?? 50;
            var targets = CommandTargets?.Invoke(commandId) ?? InstanceIds;
            var page = targets.Skip(start).Take(size).ToList();
            return Answer(new
            {
                CommandInvocations = page.Select(id => new
                {
                    CommandId = commandId, InstanceId = id, InstanceName = "", Comment = "PortalOps", DocumentName = "AWS-RunPatchBaseline", DocumentVersion = "$DEFAULT",
                    RequestedDateTime = 1.7e9, Status = InvocationStatus.GetValueOrDefault(id, "Success"), StatusDetails = InvocationStatus.GetValueOrDefault(id, "Success"),
                    TraceOutput = "", StandardOutputUrl = "", StandardErrorUrl = "", ServiceRole = "",
                    CommandPlugins = new[]
                    {
                        new
                        {
                            Name = "PatchLinux", Status = InvocationStatus.GetValueOrDefault(id, "Success"), StatusDetails = InvocationStatus.GetValueOrDefault(id, "Success"),
                            ResponseCode = InvocationStatus.GetValueOrDefault(id, "Success") == "Success" ? 0 : 1, ResponseStartDateTime = 1.7e9, ResponseFinishDateTime = 1.7e9 + 60,
                            Output = $"Installed 3 patches on {id}.", StandardOutputUrl = "", StandardErrorUrl = "", OutputS3Region = "us-east-1", OutputS3BucketName = "", OutputS3KeyPrefix = "",
                        },
                    },
                }),
                NextToken = start + size < targets.Count ? (start + size).ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
            });
        });
    }

    private static int Token(string body) =>
        JsonNode.Parse(body)?["NextToken"]?.GetValue<string>() is { Length: > 0 } t ? int.Parse(t, System.Globalization.CultureInfo.InvariantCulture) : 0;

    private static string Answer(object value) => JsonSerializer.Serialize(value, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
}
