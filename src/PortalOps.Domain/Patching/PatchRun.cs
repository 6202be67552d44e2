using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Monitoring;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Patching;

public enum PatchRunStatus
{
    AwaitingApproval,
    Approved,
    Running,
    Succeeded,

    /// <summary>A wave failed (an install, or its health gate); later waves never started.</summary>
    Failed,

    /// <summary>The maintenance window ended between waves; later waves never started.</summary>
    Stopped,
    Denied,
}

/// <summary>
/// Installing patches on one patch group in waves, inside a maintenance window, after approval. The run is a small state machine
/// advanced step by step (<see cref="PatchRunEngine"/>): no step waits; each says what to do next. Every change bumps
/// <see cref="Version"/>, and the store saves only over the version it read, so two workers never both send a wave.
/// </summary>
public sealed class PatchRun
{
    /// <summary>After this long, a wave claimed for sending but without a command id is taken as lost and its send retried.</summary>
    public static readonly TimeSpan SendLease = TimeSpan.FromMinutes(10);

    private List<PatchRunTarget> _targets = [];
    private List<PatchWave> _waves = [];

    private PatchRun()
    {
        GroupName = string.Empty;
        RequestedByName = string.Empty;
        WindowName = string.Empty;
        IdempotencyKey = string.Empty;
        Plan = WavePlan.Default;
        Footprint = Footprint.Of(string.Empty, string.Empty, null);
    }

    public Guid Id { get; private init; }

    /// <summary>A caller's key: starting the same run twice finds this one rather than making another.</summary>
    public string IdempotencyKey { get; private init; }

    public string GroupName { get; private init; }

    public WavePlan Plan { get; private init; }

    public RebootPolicy Reboot { get; private init; }

    /// <summary>How long each wave's instances must stay healthy (status checks, no alert) before the next wave.</summary>
    public TimeSpan HealthQuiet { get; private init; }

    public Guid WindowId { get; private init; }

    public string WindowName { get; private init; }

    public DateTimeOffset WindowEndsAt { get; private init; }

    public Guid RequestedBy { get; private init; }

    public string RequestedByName { get; private init; }

    public DateTimeOffset CreatedAt { get; private init; }

    /// <summary>What every patched instance shares (for scoped reads).</summary>
    public Footprint Footprint { get; private init; }

    public PatchRunStatus Status { get; private set; }

    public string? StatusReason { get; private set; }

    public Guid? ApprovalId { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    public int Version { get; private set; }

    public IReadOnlyList<PatchRunTarget> Targets => _targets;

    public IReadOnlyList<PatchWave> Waves => _waves;

    public bool IsFinished => Status is PatchRunStatus.Succeeded or PatchRunStatus.Failed or PatchRunStatus.Stopped or PatchRunStatus.Denied;

    /// <summary>The first wave not yet over, or null when none is left.</summary>
    public PatchWave? CurrentWave => _waves.FirstOrDefault(w => w.Status is WaveStatus.Pending or WaveStatus.Installing or WaveStatus.Verifying);

    public IEnumerable<PatchRunTarget> InWave(int wave) => _targets.Where(t => t.Wave == wave && t.Status != PatchTargetStatus.Skipped);

    /// <summary>
    /// Plans a run: refuses a bad wave plan or a group outside any open maintenance window; lists instances without an online agent,
    /// or without a baseline for their OS, as skipped with the reason; splits the rest into waves (canary first).
    /// </summary>
    public static PatchRun Create(PatchRunRequest request, PatchGroup group, IReadOnlyList<PatchCandidate> candidates, IReadOnlyList<MaintenanceWindow> windows, Actor actor, DateTimeOffset now)
    {
        if (actor.Role < Role.Operator)
        {
            throw new DomainException($"{actor.Name} is {actor.Role}; patch runs are started by Operators and above.");
        }

        var plan = WavePlan.Create(request.CanaryPercent, request.BatchPercent);
        if (request.HealthQuietMinutes is < 0 or > 240)
        {
            throw new DomainException($"The health gate waits 0 to 240 minutes, not {request.HealthQuietMinutes}.");
        }

        var members = candidates.Where(c => group.Contains(c.Instance.Tags)).OrderBy(c => c.Instance.Ref.ToString(), StringComparer.Ordinal).ToList();
        if (members.Count == 0)
        {
            throw new DomainException($"No instance carries the tag {group.TagKey}={group.TagValue} of group {group.Name}.");
        }

        var eligible = new List<PatchCandidate>();
        var targets = new List<PatchRunTarget>();
        foreach (var c in members)
        {
            var skip = !c.Agent.IsOnline
                ? $"Agent {c.Agent.Ping}: {c.Agent.Reason} {c.Agent.Fix}".Trim()
                : group.BaselineFor(PatchOperatingSystem.ForPlatform(c.Agent.PlatformName ?? c.Instance.Platform)) is null
                    ? $"Group {group.Name} has no baseline for {PatchOperatingSystem.ForPlatform(c.Agent.PlatformName ?? c.Instance.Platform).Label}."
                    : null;
            if (skip is null)
            {
                eligible.Add(c);
            }
            else
            {
                targets.Add(new PatchRunTarget(c.Instance.Ref, c.Instance.Name, -1, PatchTargetStatus.Skipped) { Reason = skip });
            }
        }

        if (eligible.Count == 0)
        {
            throw new DomainException($"No instance of group {group.Name} can be patched now: {targets[0].Reason}");
        }

        var window = windows
            .Where(w => w.IsActiveAt(now) && eligible.All(c => w.Scope.Covers(c.Instance.Ref, c.Instance.Tags)))
            .OrderByDescending(w => w.EndsAt)
            .FirstOrDefault()
            ?? throw new DomainException($"No maintenance window covering group {group.Name} is open now; set one (Maintenance) before patching.");

        var sizes = plan.Sizes(eligible.Count);
        var waves = sizes.Select((size, i) => new PatchWave(i, size, WaveStatus.Pending)).ToList();
        var at = 0;
        for (var w = 0; w < sizes.Count; w++)
        {
            foreach (var c in eligible.Skip(at).Take(sizes[w]))
            {
                targets.Add(new PatchRunTarget(c.Instance.Ref, c.Instance.Name, w, PatchTargetStatus.Waiting));
            }

            at += sizes[w];
        }

        return new PatchRun
        {
            Id = Guid.CreateVersion7(now),
            IdempotencyKey = string.IsNullOrWhiteSpace(request.IdempotencyKey) ? Guid.NewGuid().ToString("N") : request.IdempotencyKey.Trim(),
            GroupName = group.Name, Plan = plan, Reboot = request.Reboot, HealthQuiet = TimeSpan.FromMinutes(request.HealthQuietMinutes),
            WindowId = window.Id, WindowName = window.Name, WindowEndsAt = window.EndsAt,
            RequestedBy = actor.UserId, RequestedByName = actor.Name, CreatedAt = now,
            Footprint = Footprint.Common(eligible.Select(c => Footprint.Of(c.Instance.Ref.AccountId, c.Instance.Ref.Region, c.Instance.Tags)))!,
            Status = PatchRunStatus.AwaitingApproval, _targets = targets.OrderBy(t => t.Wave < 0 ? int.MaxValue : t.Wave).ToList(), _waves = waves, Version = 1,
        };
    }

    public static PatchRun FromStore(Guid id, string idempotencyKey, string groupName, WavePlan plan, RebootPolicy reboot, TimeSpan healthQuiet, Guid windowId, string windowName,
        DateTimeOffset windowEndsAt, Guid requestedBy, string requestedByName, DateTimeOffset createdAt, Footprint footprint, PatchRunStatus status, string? statusReason,
        Guid? approvalId, DateTimeOffset? finishedAt, int version, IEnumerable<PatchRunTarget> targets, IEnumerable<PatchWave> waves) =>
        new()
        {
            Id = id, IdempotencyKey = idempotencyKey, GroupName = groupName, Plan = plan, Reboot = reboot, HealthQuiet = healthQuiet, WindowId = windowId, WindowName = windowName,
            WindowEndsAt = windowEndsAt, RequestedBy = requestedBy, RequestedByName = requestedByName, CreatedAt = createdAt, Footprint = footprint, Status = status,
            StatusReason = statusReason, ApprovalId = approvalId, FinishedAt = finishedAt, Version = version, _targets = targets.ToList(), _waves = waves.OrderBy(w => w.Index).ToList(),
        };

    /// <summary>The instances to install on (everything but the skipped), for the approval request.</summary>
    public IReadOnlyList<InstanceRef> PatchedInstances => _targets.Where(t => t.Status != PatchTargetStatus.Skipped).Select(t => t.Instance).ToList();

    public void AwaitApproval(Guid approvalId)
    {
        ApprovalId = approvalId;
        Touch();
    }

    /// <summary>Approval given (through the action pipeline). False when it already was, or the run is over.</summary>
    public bool Approve()
    {
        if (Status != PatchRunStatus.AwaitingApproval)
        {
            return false;
        }

        Status = PatchRunStatus.Approved;
        Touch();
        return true;
    }

    public void Deny(string? reason, DateTimeOffset now)
    {
        if (Status != PatchRunStatus.AwaitingApproval)
        {
            return;
        }

        Status = PatchRunStatus.Denied;
        StatusReason = string.IsNullOrWhiteSpace(reason) ? "Denied." : reason;
        End(now);
    }

    /// <summary>
    /// Claims the current pending wave for sending: refuses before approval; stops the run when the window has ended.
    /// Returns the targets to send to (empty when there is nothing to send).
    /// </summary>
    public IReadOnlyList<PatchRunTarget> BeginWave(DateTimeOffset now)
    {
        if (Status is PatchRunStatus.AwaitingApproval)
        {
            throw new DomainException("A patch run installs nothing before it is approved.");
        }

        if (IsFinished || CurrentWave is not { Status: WaveStatus.Pending } wave)
        {
            return [];
        }

        if (now >= WindowEndsAt)
        {
            Stop($"The maintenance window {WindowName} ended at {WindowEndsAt:yyyy-MM-dd HH:mm} UTC before {wave.Label.ToLowerInvariant()}.", now);
            return [];
        }

        Status = PatchRunStatus.Running;
        SetWave(wave with { Status = WaveStatus.Installing, StartedAt = now });
        for (var i = 0; i < _targets.Count; i++)
        {
            if (_targets[i].Wave == wave.Index && _targets[i].Status == PatchTargetStatus.Waiting)
            {
                _targets[i] = _targets[i] with { Status = PatchTargetStatus.Sending, SendingSince = now };
            }
        }

        Touch();
        return InWave(wave.Index).Where(t => t.Status == PatchTargetStatus.Sending).ToList();
    }

    /// <summary>Targets of the installing wave whose send was claimed longer than <see cref="SendLease"/> ago without a command id (a lost worker).</summary>
    public IReadOnlyList<PatchRunTarget> LostSends(DateTimeOffset now) =>
        CurrentWave is { Status: WaveStatus.Installing } wave
            ? InWave(wave.Index).Where(t => t.Status == PatchTargetStatus.Sending && t.CommandId is null && t.SendingSince is { } s && now - s >= SendLease).ToList()
            : [];

    /// <summary>Takes over lost sends: their lease starts again now.</summary>
    public void Reclaim(IEnumerable<InstanceRef> instances, DateTimeOffset now)
    {
        var set = instances.ToHashSet();
        Update(t => set.Contains(t.Instance) && t.Status == PatchTargetStatus.Sending, t => t with { SendingSince = now });
        Touch();
    }

    public void Sent(IEnumerable<InstanceRef> instances, string commandId)
    {
        var set = instances.ToHashSet();
        Update(t => set.Contains(t.Instance) && t.Status == PatchTargetStatus.Sending, t => t with { Status = PatchTargetStatus.Installing, CommandId = commandId });
        Touch();
    }

    /// <summary>A send failed outright (the API refused): those instances failed.</summary>
    public void SendFailed(IEnumerable<InstanceRef> instances, string error, DateTimeOffset now)
    {
        var set = instances.ToHashSet();
        Update(t => set.Contains(t.Instance) && t.Status == PatchTargetStatus.Sending, t => t with { Status = PatchTargetStatus.Failed, Reason = error, FinishedAt = now });
        Touch();
    }

    /// <summary>What the agent said for one instance. Terminal statuses end the instance's install; others leave it installing.</summary>
    public void Record(CommandInvocation invocation, DateTimeOffset now)
    {
        var (text, truncated) = PatchRunTarget.Truncate(invocation.Output);
        var status = invocation.Status switch
        {
            "Success" => PatchTargetStatus.Succeeded,
            "Failed" or "TimedOut" or "Cancelled" or "Cancelling" or "Undeliverable" or "Terminated" or "DeliveryTimedOut" or "ExecutionTimedOut" => PatchTargetStatus.Failed,
            _ => PatchTargetStatus.Installing,
        };
        var before = _targets.FirstOrDefault(t => t.Instance.InstanceId == invocation.InstanceId && t.Status == PatchTargetStatus.Installing);
        if (before is null || (status == PatchTargetStatus.Installing && (text is null || text == before.Output)))
        {
            return;
        }

        Update(
            t => t.Instance.InstanceId == invocation.InstanceId && t.Status == PatchTargetStatus.Installing,
            t => t with
            {
                Status = status, Output = text ?? t.Output, OutputTruncated = truncated, ResponseCode = invocation.ResponseCode,
                Reason = status == PatchTargetStatus.Failed ? $"{invocation.Status}{(invocation.ResponseCode is { } code ? $" (exit {code})" : string.Empty)}" : t.Reason,
                FinishedAt = status == PatchTargetStatus.Installing ? null : now,
            });
        Touch();
    }

    /// <summary>
    /// Closes the install step of the current wave once every instance has finished: any failure fails the wave and the run
    /// (later waves are cancelled); otherwise the wave waits for its health gate. True when something changed.
    /// </summary>
    public bool FinishInstall(DateTimeOffset now)
    {
        if (CurrentWave is not { Status: WaveStatus.Installing } wave || InWave(wave.Index).Any(t => !t.IsDone))
        {
            return false;
        }

        var failed = InWave(wave.Index).Where(t => t.Status == PatchTargetStatus.Failed).ToList();
        if (failed.Count > 0)
        {
            SetWave(wave with { Status = WaveStatus.Failed, InstalledAt = now, FinishedAt = now, Note = $"{failed.Count} of {wave.Size} failed" });
            Fail($"{wave.Label} failed on {string.Join(", ", failed.Take(5).Select(t => t.Instance.InstanceId))}{(failed.Count > 5 ? " …" : string.Empty)}: {failed[0].Reason}", now);
            return true;
        }

        SetWave(wave with { Status = WaveStatus.Verifying, InstalledAt = now, GateUntil = now + HealthQuiet });
        Touch();
        return true;
    }

    /// <summary>
    /// The health gate's answer for the verifying wave: unhealthy fails the run; held (an alert open, a check not settled) restarts the
    /// quiet time, and fails the run once the wave has been installed for twice the quiet time; healthy after the quiet time passes the wave.
    /// </summary>
    public bool Gate(HealthGateResult result, DateTimeOffset now)
    {
        if (CurrentWave is not { Status: WaveStatus.Verifying } wave)
        {
            return false;
        }

        if (result.Held)
        {
            return Hold(wave, result.Problem ?? "the wave is not healthy yet.", now);
        }

        if (!result.Healthy)
        {
            SetWave(wave with { Status = WaveStatus.Failed, FinishedAt = now, Note = result.Problem });
            Fail($"{wave.Label} failed its health gate: {result.Problem}", now);
            return true;
        }

        if (now < wave.GateUntil)
        {
            return false;
        }

        SetWave(wave with { Status = WaveStatus.Succeeded, FinishedAt = now, Note = wave.Note is { } held && held.StartsWith(HeldPrefix, StringComparison.Ordinal) ? $"passed after a hold: {held[HeldPrefix.Length..]}" : wave.Note });
        if (CurrentWave is null)
        {
            Status = PatchRunStatus.Succeeded;
            StatusReason = $"{_targets.Count(t => t.Status == PatchTargetStatus.Succeeded)} instance(s) patched in {_waves.Count} wave(s).";
            End(now);
        }
        else
        {
            Touch();
        }

        return true;
    }

    private const string HeldPrefix = "held: ";

    /// <summary>The longest a wave may be held after its install before the run fails: twice the quiet time.</summary>
    public TimeSpan HoldLimit => HealthQuiet * 2;

    private bool Hold(PatchWave wave, string reason, DateTimeOffset now)
    {
        var installed = wave.InstalledAt ?? now;
        if (now >= installed + HoldLimit)
        {
            var problem = $"{reason.TrimEnd('.')}; still not clear {HoldLimit.TotalMinutes:0} min after the install (twice the {HealthQuiet.TotalMinutes:0} min quiet time).";
            SetWave(wave with { Status = WaveStatus.Failed, FinishedAt = now, Note = problem });
            Fail($"{wave.Label} failed its health gate: {problem}", now);
            return true;
        }

        var until = now + HealthQuiet;
        var note = HeldPrefix + reason;
        if (wave.GateUntil >= until && wave.Note == note)
        {
            return false;
        }

        SetWave(wave with { GateUntil = wave.GateUntil > until ? wave.GateUntil : until, Note = note });
        Touch();
        return true;
    }

    /// <summary>Progress in a line: "Wave 2/4 installing · 12/40 done · 1 skipped".</summary>
    public string Progress()
    {
        var done = _targets.Count(t => t.Status == PatchTargetStatus.Succeeded);
        var total = _targets.Count(t => t.Status != PatchTargetStatus.Skipped);
        var skipped = _targets.Count(t => t.Status == PatchTargetStatus.Skipped);
        var wave = CurrentWave;
        var head = wave is null ? Status.ToString() : $"{wave.Label} ({wave.Index + 1}/{_waves.Count}) {wave.Status.ToString().ToLowerInvariant()}";
        return $"{head} · {done}/{total} patched{(skipped > 0 ? $" · {skipped} skipped" : string.Empty)}";
    }

    private void Stop(string reason, DateTimeOffset now)
    {
        Status = PatchRunStatus.Stopped;
        StatusReason = reason;
        End(now);
    }

    private void Fail(string reason, DateTimeOffset now)
    {
        Status = PatchRunStatus.Failed;
        StatusReason = reason;
        End(now);
    }

    private void End(DateTimeOffset now)
    {
        FinishedAt = now;
        for (var i = 0; i < _waves.Count; i++)
        {
            if (_waves[i].Status == WaveStatus.Pending)
            {
                _waves[i] = _waves[i] with { Status = WaveStatus.Cancelled };
            }
        }

        Update(t => t.Status == PatchTargetStatus.Waiting, t => t with { Status = PatchTargetStatus.NotStarted });
        Touch();
    }

    private void SetWave(PatchWave wave) => _waves[wave.Index] = wave;

    private void Update(Func<PatchRunTarget, bool> which, Func<PatchRunTarget, PatchRunTarget> change)
    {
        for (var i = 0; i < _targets.Count; i++)
        {
            if (which(_targets[i]))
            {
                _targets[i] = change(_targets[i]);
            }
        }
    }

    private void Touch() => Version++;
}
