using System.Globalization;
using System.Security;
using PortalOps.Jobs.Tests.Aws.Support;

namespace PortalOps.Jobs.Tests.Aws.Scaling;

/// <summary>
/// A loopback stub for the EC2 Auto Scaling instance refresh calls moto 5.2.1 lacks — StartInstanceRefresh, DescribeInstanceRefreshes,
/// CancelInstanceRefresh and RollbackInstanceRefresh — built only from AWS's documented Query API shapes (the botocore autoscaling
/// 2011-01-01 model): <c>StartInstanceRefreshResult/InstanceRefreshId</c>; <c>DescribeInstanceRefreshesResult/InstanceRefreshes/member</c>
/// with InstanceRefreshId, AutoScalingGroupName, Status, StatusReason, StartTime, EndTime, PercentageComplete, InstancesToUpdate,
/// Preferences (MinHealthyPercentage, InstanceWarmup, CheckpointPercentages, CheckpointDelay, SkipMatching, AutoRollback) and
/// DesiredConfiguration/LaunchTemplate (LaunchTemplateId, LaunchTemplateName, Version); <c>CancelInstanceRefreshResult/InstanceRefreshId</c>;
/// <c>RollbackInstanceRefreshResult/InstanceRefreshId</c>; and the documented faults InstanceRefreshInProgress,
/// ActiveInstanceRefreshNotFound and IrreversibleInstanceRefresh (a rollback of a refresh without a desired configuration) (400, Sender).
/// Every other call goes on to moto. Each describe moves a running refresh on by <see cref="StepPercent"/>; on reaching a checkpoint
/// below 100 it stays there for one describe, InProgress with a status reason naming the checkpoint; a rollback is RollbackInProgress
/// for one describe, then RollbackSuccessful.
/// </summary>
public sealed class InstanceRefreshStub
{
    private const string Ns = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
    private readonly Lock _gate = new();
    private readonly List<Entry> _refreshes = [];

    public int StepPercent { get; set; } = 25;

    /// <summary>The form bodies of every StartInstanceRefresh received, for tests that check what was sent.</summary>
    public List<IReadOnlyDictionary<string, string>> Started { get; } = [];

    /// <summary>The form bodies of every RollbackInstanceRefresh received.</summary>
    public List<IReadOnlyDictionary<string, string>> RolledBack { get; } = [];

    public void Install(LoopbackProxy proxy)
    {
        proxy.StubQuery("StartInstanceRefresh", Start);
        proxy.StubQuery("DescribeInstanceRefreshes", Describe);
        proxy.StubQuery("CancelInstanceRefresh", Cancel);
        proxy.StubQuery("RollbackInstanceRefresh", Rollback);
    }

    private (int, string) Start(string body)
    {
        var form = Form(body);
        lock (_gate)
        {
            var group = form["AutoScalingGroupName"];
            if (_refreshes.Any(r => r.Group == group && r.Running))
            {
                return Fault("InstanceRefreshInProgress", "An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.");
            }

            Started.Add(form);
            var entry = new Entry(Guid.NewGuid().ToString(), group, DateTimeOffset.UtcNow)
            {
                MinHealthy = form.GetValueOrDefault("Preferences.MinHealthyPercentage"),
                Warmup = form.GetValueOrDefault("Preferences.InstanceWarmup"),
                SkipMatching = form.GetValueOrDefault("Preferences.SkipMatching"),
                Checkpoints = form.Where(kv => kv.Key.StartsWith("Preferences.CheckpointPercentages.member.", StringComparison.Ordinal))
                    .OrderBy(kv => int.Parse(kv.Key[(kv.Key.LastIndexOf('.') + 1)..], CultureInfo.InvariantCulture)).Select(kv => kv.Value).ToList(),
                CheckpointDelay = form.GetValueOrDefault("Preferences.CheckpointDelay"),
                AutoRollback = form.GetValueOrDefault("Preferences.AutoRollback"),
                TemplateId = form.GetValueOrDefault("DesiredConfiguration.LaunchTemplate.LaunchTemplateId"),
                TemplateName = form.GetValueOrDefault("DesiredConfiguration.LaunchTemplate.LaunchTemplateName"),
                Version = form.GetValueOrDefault("DesiredConfiguration.LaunchTemplate.Version"),
            };
            _refreshes.Add(entry);
            return Ok("StartInstanceRefresh", $"<InstanceRefreshId>{entry.Id}</InstanceRefreshId>");
        }
    }

    private (int, string) Describe(string body)
    {
        var form = Form(body);
        lock (_gate)
        {
            var members = _refreshes.Where(r => r.Group == form["AutoScalingGroupName"]).OrderByDescending(r => r.StartedAt).Select(r =>
            {
                if (r.Status == "Pending")
                {
                    r.Status = "InProgress";
                }
                else if (r.Status == "InProgress" && r.Reason is not null)
                {
                    r.Reason = null;
                }
                else if (r.Status == "InProgress")
                {
                    var before = r.Percent;
                    var next = r.Checkpoints.Select(c => int.Parse(c, CultureInfo.InvariantCulture)).FirstOrDefault(c => c > before && c < 100);
                    r.Percent = Math.Min(next > 0 ? next : 100, r.Percent + StepPercent);
                    if (r.Percent == 100)
                    {
                        (r.Status, r.EndedAt) = ("Successful", DateTimeOffset.UtcNow);
                    }
                    else if (r.Percent == next)
                    {
                        r.Reason = $"Waiting at checkpoint {next}% before continuing.";
                    }
                }
                else if (r.Status == "RollbackInProgress")
                {
                    (r.Status, r.EndedAt, r.Reason) = ("RollbackSuccessful", DateTimeOffset.UtcNow, "The instance refresh was rolled back.");
                }
                else if (r.Status == "Cancelling")
                {
                    (r.Status, r.EndedAt) = ("Cancelled", DateTimeOffset.UtcNow);
                }

                return $"<member><InstanceRefreshId>{r.Id}</InstanceRefreshId><AutoScalingGroupName>{SecurityElement.Escape(r.Group)}</AutoScalingGroupName>"
                    + $"<Status>{r.Status}</Status>{(r.Status == "Cancelled" ? "<StatusReason>Cancelled due to user request.</StatusReason>" : r.Reason is { } why ? $"<StatusReason>{SecurityElement.Escape(why)}</StatusReason>" : string.Empty)}"
                    + $"<StartTime>{r.StartedAt:yyyy-MM-ddTHH:mm:ssZ}</StartTime>{(r.EndedAt is { } e ? $"<EndTime>{e:yyyy-MM-ddTHH:mm:ssZ}</EndTime>" : string.Empty)}"
                    + $"<PercentageComplete>{r.Percent.ToString(CultureInfo.InvariantCulture)}</PercentageComplete><InstancesToUpdate>{(100 - r.Percent) / 25}</InstancesToUpdate>"
                    + "<Preferences>"
                    + (r.MinHealthy is { } m ? $"<MinHealthyPercentage>{m}</MinHealthyPercentage>" : string.Empty)
                    + (r.Warmup is { } w ? $"<InstanceWarmup>{w}</InstanceWarmup>" : string.Empty)
                    + (r.Checkpoints.Count > 0 ? $"<CheckpointPercentages>{string.Concat(r.Checkpoints.Select(c => $"<member>{c}</member>"))}</CheckpointPercentages>" : string.Empty)
                    + (r.CheckpointDelay is { } cd ? $"<CheckpointDelay>{cd}</CheckpointDelay>" : string.Empty)
                    + (r.SkipMatching is { } sm ? $"<SkipMatching>{sm}</SkipMatching>" : string.Empty)
                    + (r.AutoRollback is { } ar ? $"<AutoRollback>{ar}</AutoRollback>" : string.Empty)
                    + "</Preferences>"
                    + (r.Version is { } v
                        ? "<DesiredConfiguration><LaunchTemplate>"
                            + (r.TemplateId is { } id ? $"<LaunchTemplateId>{SecurityElement.Escape(id)}</LaunchTemplateId>" : string.Empty)
                            + (r.TemplateName is { } name ? $"<LaunchTemplateName>{SecurityElement.Escape(name)}</LaunchTemplateName>" : string.Empty)
                            + $"<Version>{SecurityElement.Escape(v)}</Version></LaunchTemplate></DesiredConfiguration>"
                        : string.Empty)
                    + "</member>";
            });
            return Ok("DescribeInstanceRefreshes", $"<InstanceRefreshes>{string.Concat(members)}</InstanceRefreshes>");
        }
    }

    private (int, string) Cancel(string body)
    {
        var form = Form(body);
        lock (_gate)
        {
            var group = form["AutoScalingGroupName"];
            if (_refreshes.FirstOrDefault(r => r.Group == group && r.Running) is not { } running)
            {
                return Fault("ActiveInstanceRefreshNotFound", $"No in progress or pending Instance Refresh found for Auto Scaling group {group}");
            }

            running.Status = "Cancelling";
            return Ok("CancelInstanceRefresh", $"<InstanceRefreshId>{running.Id}</InstanceRefreshId>");
        }
    }

    private (int, string) Rollback(string body)
    {
        var form = Form(body);
        lock (_gate)
        {
            var group = form["AutoScalingGroupName"];
            RolledBack.Add(form);
            if (_refreshes.FirstOrDefault(r => r.Group == group && r.Status is "Pending" or "InProgress" or "Baking") is not { } running)
            {
                return Fault("ActiveInstanceRefreshNotFound", $"No in progress or pending Instance Refresh found for Auto Scaling group {group}");
            }

            if (running.Version is null)
            {
                return Fault("IrreversibleInstanceRefresh", "The instance refresh cannot be rolled back: it has no desired configuration.");
            }

            (running.Status, running.Reason) = ("RollbackInProgress", "Rollback requested by user.");
            return Ok("RollbackInstanceRefresh", $"<InstanceRefreshId>{running.Id}</InstanceRefreshId>");
        }
    }

    private static (int, string) Ok(string action, string result) =>
        (200, $"<{action}Response xmlns=\"{Ns}\"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>stub-{Guid.NewGuid()}</RequestId></ResponseMetadata></{action}Response>");

    private static (int, string) Fault(string code, string message) =>
        (400, $"<ErrorResponse xmlns=\"{Ns}\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message></Error><RequestId>stub-{Guid.NewGuid()}</RequestId></ErrorResponse>");

    private static Dictionary<string, string> Form(string body) =>
        body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty, StringComparer.Ordinal);

    private sealed class Entry(string id, string group, DateTimeOffset startedAt)
    {
        public string Id { get; } = id;
        public string Group { get; } = group;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public string Status { get; set; } = "Pending";
        public int Percent { get; set; }
        public DateTimeOffset? EndedAt { get; set; }
        public string? MinHealthy { get; init; }
        public string? Warmup { get; init; }
        public string? SkipMatching { get; init; }
        public List<string> Checkpoints { get; init; } = [];
        public string? CheckpointDelay { get; init; }
        public string? AutoRollback { get; init; }
        public string? TemplateId { get; init; }
        public string? TemplateName { get; init; }
        public string? Version { get; init; }
        public string? Reason { get; set; }
        public bool Running => Status is "Pending" or "InProgress" or "Cancelling" or "RollbackInProgress" or "Baking";
    }
}
