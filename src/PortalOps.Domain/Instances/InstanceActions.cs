namespace PortalOps.Domain.Instances;

/// <summary>
/// Which actions an instance's state allows: no Start on a running or terminated instance, no Reboot on a stopped one.
/// The fleet page, the instance page and the bot offer only these; a bulk confirmation names what it will skip and why.
/// </summary>
public static class InstanceActions
{
    /// <summary>Whether <paramref name="action"/> makes sense for an instance in <paramref name="state"/> (hibernation also needs the launch setting: see the instance overload).</summary>
    public static bool Allows(InstanceState state, InstanceAction action) => action switch
    {
        InstanceAction.Start => state == InstanceState.Stopped,
        InstanceAction.Stop => state is InstanceState.Running or InstanceState.Pending,
        InstanceAction.Reboot => state == InstanceState.Running,
        InstanceAction.Terminate => state is not (InstanceState.Terminated or InstanceState.ShuttingDown),
        InstanceAction.Hibernate => state == InstanceState.Running,
    };

    /// <summary>Whether <paramref name="action"/> makes sense for this instance now: its state, and for hibernation how it was launched.</summary>
    public static bool Allows(Instance instance, InstanceAction action) =>
        WhyNot(instance, action) is null;

    /// <summary>Null when the action is allowed; otherwise a few words fit for "skipped: …" ("already running", "terminated").</summary>
    public static string? WhyNot(Instance instance, InstanceAction action)
    {
        if (action == InstanceAction.Hibernate && !instance.HibernationConfigured)
        {
            return "not launched with hibernation";
        }

        if (Allows(instance.State, action))
        {
            return null;
        }

        // "already running" where the action would only reach the state the instance is in; its state otherwise.
        var already = (action, instance.State) is (InstanceAction.Start, InstanceState.Running) or (InstanceAction.Stop, InstanceState.Stopped)
            or (InstanceAction.Terminate, InstanceState.Terminated);
        var word = Describe(instance.State);
        return already ? $"already {word}" : word;
    }

    /// <summary>The actions this instance's state allows, in the order the pages show them.</summary>
    public static IReadOnlyList<InstanceAction> Allowed(Instance instance) =>
        Enum.GetValues<InstanceAction>().Where(a => Allows(instance, a)).ToList();

    /// <summary>Splits a selection into the instances the action applies to and the ones it will skip, with why.</summary>
    public static ActionEligibility Split(InstanceAction action, IEnumerable<Instance> instances)
    {
        var eligible = new List<Instance>();
        var skipped = new List<SkippedInstance>();
        foreach (var instance in instances)
        {
            if (WhyNot(instance, action) is { } reason)
            {
                skipped.Add(new SkippedInstance(instance, reason));
            }
            else
            {
                eligible.Add(instance);
            }
        }

        return new ActionEligibility(action, eligible, skipped);
    }

    private static string Describe(InstanceState state) => state switch
    {
        InstanceState.Pending => "starting",
        InstanceState.Running => "running",
        InstanceState.Stopping => "stopping",
        InstanceState.Stopped => "stopped",
        InstanceState.ShuttingDown => "terminating",
        InstanceState.Terminated => "terminated",
    };
}

/// <summary>An instance a bulk action leaves out, and why.</summary>
public sealed record SkippedInstance(Instance Instance, string Reason);

/// <summary>A selection split by <see cref="InstanceActions.Split"/>: what the action applies to, and what it skips.</summary>
public sealed record ActionEligibility(InstanceAction Action, IReadOnlyList<Instance> Eligible, IReadOnlyList<SkippedInstance> Skipped)
{
    /// <summary>"2 of 5 selected will be skipped: 1 already running, 1 terminated." — null when nothing is skipped.</summary>
    public string? SkipSummary
    {
        get
        {
            if (Skipped.Count == 0)
            {
                return null;
            }

            var total = Eligible.Count + Skipped.Count;
            var reasons = string.Join(", ", Skipped.GroupBy(s => s.Reason).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));
            return $"{Skipped.Count} of {total} selected will be skipped: {reasons}.";
        }
    }
}
