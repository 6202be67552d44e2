using Amazon.SimpleSystemsManagement.Model;
using Microsoft.Extensions.Logging;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Patching;

namespace PortalOps.Jobs.Aws.Patching;

/// <summary>Systems Manager: Run Command, managed-instance inventory and patch compliance.</summary>
public sealed class AwsRemoteCommands(AwsClients clients, ILogger<AwsRemoteCommands> logger) : IRemoteCommands
{
    public async Task<(string CommandId, string? RequestId)> SendAsync(CloudScope scope, IReadOnlyList<string> instanceIds, string documentName, IReadOnlyDictionary<string, IReadOnlyList<string>> parameters, string comment, CancellationToken cancellationToken = default)
    {
        var r = await clients.Ssm(scope.AccountId, scope.Region).SendCommandAsync(new SendCommandRequest
        {
            InstanceIds = instanceIds.ToList(),
            DocumentName = documentName,
            Parameters = parameters.ToDictionary(kv => kv.Key, kv => kv.Value.ToList()),
            Comment = comment.Length > 100 ? comment[..100] : comment,
        }, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Sent {Document} to {Count} instance(s) in {Scope}: command {CommandId} (request {RequestId})",
            documentName, instanceIds.Count, scope, r.Command.CommandId, r.ResponseMetadata.RequestId);
        return (r.Command.CommandId, r.ResponseMetadata.RequestId);
    }

    /// <summary>
    /// The per-instance outcome of a command: ListCommandInvocations with Details, paged (50 a page), so a command to many instances costs
    /// one call per 50 rather than one per instance. The output is the plugin's (Systems Manager keeps its first 2,500 characters there).
    /// </summary>
    public async Task<IReadOnlyList<Domain.Patching.CommandInvocation>> InvocationsAsync(CloudScope scope, string commandId, CancellationToken cancellationToken = default)
    {
        var ssm = clients.Ssm(scope.AccountId, scope.Region);
        var list = new List<Domain.Patching.CommandInvocation>();
        string? token = null;
        do
        {
            var r = await ssm.ListCommandInvocationsAsync(new ListCommandInvocationsRequest { CommandId = commandId, Details = true, MaxResults = 50, NextToken = token }, cancellationToken).ConfigureAwait(false);
            foreach (var i in r.CommandInvocations ?? [])
            {
                var plugins = i.CommandPlugins ?? [];
                var output = plugins.Count == 0 ? null : string.Join("\n", plugins.Select(p => p.Output).Where(o => !string.IsNullOrEmpty(o)));
                var code = plugins.Select(p => p.ResponseCode).FirstOrDefault(c => c is not null and not 0) ?? plugins.Select(p => p.ResponseCode).FirstOrDefault();
                list.Add(new Domain.Patching.CommandInvocation(i.InstanceId, i.Status?.Value ?? string.Empty, output, code));
            }

            token = string.IsNullOrEmpty(r.NextToken) ? null : r.NextToken;
        }
        while (token is not null);
        return list;
    }

    public async Task<IReadOnlyList<ManagedInstance>> ManagedInstancesAsync(CloudScope scope, CancellationToken cancellationToken = default)
    {
        var ssm = clients.Ssm(scope.AccountId, scope.Region);
        var list = new List<ManagedInstance>();
        string? token = null;
        do
        {
            var r = await ssm.DescribeInstanceInformationAsync(new DescribeInstanceInformationRequest { MaxResults = 50, NextToken = token }, cancellationToken).ConfigureAwait(false);
            list.AddRange((r.InstanceInformationList ?? []).Select(i => new ManagedInstance(i.InstanceId, i.PingStatus?.Value ?? "", i.PlatformName, i.AgentVersion,
                i.LastPingDateTime is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null)));
            token = string.IsNullOrEmpty(r.NextToken) ? null : r.NextToken;
        }
        while (token is not null);
        return list;
    }

    public async Task<IReadOnlyList<PatchState>> PatchStatesAsync(CloudScope scope, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken = default)
    {
        var ssm = clients.Ssm(scope.AccountId, scope.Region);
        var list = new List<PatchState>();
        foreach (var batch in instanceIds.Chunk(50))
        {
            string? token = null;
            do
            {
                var r = await ssm.DescribeInstancePatchStatesAsync(new DescribeInstancePatchStatesRequest { InstanceIds = batch.ToList(), MaxResults = 50, NextToken = token }, cancellationToken).ConfigureAwait(false);
                list.AddRange((r.InstancePatchStates ?? []).Select(p => new PatchState(p.InstanceId, p.BaselineId ?? "", p.InstalledCount ?? 0, p.MissingCount ?? 0, p.FailedCount ?? 0,
                    p.InstalledPendingRebootCount ?? 0, p.Operation?.Value ?? "", p.OperationEndTime is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null)
                {
                    PatchGroup = string.IsNullOrEmpty(p.PatchGroup) ? null : p.PatchGroup,
                    CriticalNonCompliant = p.CriticalNonCompliantCount ?? 0,
                    SecurityNonCompliant = p.SecurityNonCompliantCount ?? 0,
                    OtherNonCompliant = p.OtherNonCompliantCount ?? 0,
                }));
                token = string.IsNullOrEmpty(r.NextToken) ? null : r.NextToken;
            }
            while (token is not null);
        }

        return list;
    }
}
