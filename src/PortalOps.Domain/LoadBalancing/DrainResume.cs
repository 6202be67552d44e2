using PortalOps.Domain.Actions;
using PortalOps.Domain.Audit;
using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.LoadBalancing;

/// <summary>
/// Picks up drains a restart interrupted. Registrations a drain took out are kept in the database until the instance is started
/// or rebooted through the portal; when the node died between the drain and the registration again (or the instance was started
/// outside the portal), this finds instances that are running again with registrations remembered for longer than any drain and
/// its action can take, and registers them again where they were — audited with ELB's request id. Registrations of terminated
/// instances are forgotten; stopped instances keep theirs for their next start.
/// </summary>
public sealed class DrainResume(IDrainedRegistrations remembered, IInventory inventory, TargetDrainer drainer, IAuditLog audit, LoadBalancingSettings settings, TimeProvider clock)
{
    /// <summary>How long after a drain its registrations are surely not waiting for the action that drained them.</summary>
    public TimeSpan Settled => settings.MaxDrainWait + TimeSpan.FromMinutes(5);

    /// <returns>The instances registered again.</returns>
    public async Task<int> ResumeAsync(CancellationToken cancellationToken = default)
    {
        var before = clock.GetUtcNow() - Settled;
        var instances = (await remembered.ListAsync(cancellationToken)).Where(r => r.SavedAt <= before).Select(r => r.Instance).Distinct().ToList();
        var registered = 0;
        foreach (var instance in instances)
        {
            var found = await inventory.FindAsync(instance, cancellationToken);
            if (found?.State is InstanceState.Terminated or InstanceState.ShuttingDown)
            {
                await remembered.TakeAsync([instance], cancellationToken);
                continue;
            }

            if (found?.State != InstanceState.Running)
            {
                continue;
            }

            var system = Actor.System();
            try
            {
                var outcome = await drainer.RestoreAsync(InstanceAction.Start, [instance], null, cancellationToken);
                if (outcome.Registrations == 0)
                {
                    continue;
                }

                registered++;
                await audit.AppendAsync(new AuditEvent(system.Name, system.UserId, system.Channel, "loadbalancing.register-again", instance.ToString(), AuditOutcome.Succeeded,
                    $"{instance.InstanceId} was running with registrations a drain had taken out: {outcome.Summary}", AwsRequestId: string.Join(",", outcome.RequestIds))
                    { Where = Footprint.Of(instance.AccountId, instance.Region, found.Tags) }, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await audit.AppendAsync(new AuditEvent(system.Name, system.UserId, system.Channel, "loadbalancing.register-again", instance.ToString(), AuditOutcome.Failed,
                    $"Registering {instance.InstanceId} again failed: {ex.Message}") { Where = Footprint.Of(instance.AccountId, instance.Region, found.Tags) }, cancellationToken);
            }
        }

        return registered;
    }
}
