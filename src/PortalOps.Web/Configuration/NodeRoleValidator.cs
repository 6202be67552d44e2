using Microsoft.Extensions.Options;
using PortalOps.Jobs.Persistence;
using PortalOps.Jobs.Scheduling;

namespace PortalOps.Web.Configuration;

/// <summary>
/// A <c>web</c> or <c>worker</c> node is one of several, and several nodes share one PostgreSQL database: without
/// <c>ConnectionStrings:PortalOps</c> such a node would make an embedded SQLite database that no other node sees (a worker would
/// wait forever for jobs, a web node's approvals would never run), so it refuses to start, before anything is made on disk.
/// </summary>
public sealed class NodeRoleValidator(IConfiguration configuration) : IValidateOptions<JobsOptions>
{
    public ValidateOptionsResult Validate(string? name, JobsOptions options)
    {
        if ((NodeRoles.IsWeb(options.Role) || NodeRoles.IsWorker(options.Role))
            && string.IsNullOrWhiteSpace(configuration.GetConnectionString(PortalDatabase.ConnectionStringName)))
        {
            return ValidateOptionsResult.Fail(
                $"Jobs:Role {options.Role.Trim().ToLowerInvariant()} needs ConnectionStrings:PortalOps (PostgreSQL): nodes of several roles share one database, and the embedded SQLite database belongs to one process (use Jobs:Role all for a single node).");
        }

        return ValidateOptionsResult.Success;
    }
}
