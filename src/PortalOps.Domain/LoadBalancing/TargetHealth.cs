namespace PortalOps.Domain.LoadBalancing;

/// <summary>ELBv2's target health states.</summary>
public enum TargetHealthState
{
    Initial,
    Healthy,
    Unhealthy,
    Unused,
    Draining,
    Unavailable,
}

/// <summary>How one registered target is doing in one target group, with ELB's reason code and words when it is not healthy.</summary>
public sealed record TargetHealthEntry(string TargetId, int? Port, TargetHealthState State, string? Reason = null, string? Description = null)
{
    public static TargetHealthState ParseState(string? state) => state?.ToLowerInvariant() switch
    {
        "initial" => TargetHealthState.Initial,
        "healthy" => TargetHealthState.Healthy,
        "unhealthy" or "unhealthy.draining" => TargetHealthState.Unhealthy,
        "unused" => TargetHealthState.Unused,
        "draining" => TargetHealthState.Draining,
        _ => TargetHealthState.Unavailable,
    };

    /// <summary>"healthy", or "unhealthy (Target.Timeout)".</summary>
    public string Describe() => State.ToString().ToLowerInvariant() + (Reason is { Length: > 0 } r ? $" ({r})" : string.Empty);
}

/// <summary>A target to register or deregister: an instance id, and a port when it differs from the group's.</summary>
public sealed record TargetRef(string Id, int? Port = null)
{
    public override string ToString() => Port is { } p ? $"{Id}:{p}" : Id;

    /// <summary>Parses "i-0abc" or "i-0abc:8080"; null with a reason for anything else.</summary>
    public static TargetRef? TryParse(string text, out string? error)
    {
        error = null;
        var s = text.Trim();
        var colon = s.LastIndexOf(':');
        int? port = null;
        if (colon > 0)
        {
            if (!int.TryParse(s[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            {
                error = $"'{s}': the port is a number from 1 to 65535.";
                return null;
            }

            port = p;
            s = s[..colon];
        }

        if (!s.StartsWith("i-", StringComparison.Ordinal) || s.Length < 10 || s.Length > 19 || !s[2..].All(char.IsAsciiHexDigitLower))
        {
            error = $"'{text.Trim()}' is not an instance id (i- followed by 8 or 17 lower-case hex digits).";
            return null;
        }

        return new TargetRef(s, port);
    }

    /// <summary>Parses a comma- or space-separated list; every bad entry is named.</summary>
    public static (IReadOnlyList<TargetRef> Targets, IReadOnlyList<string> Errors) ParseList(string? text)
    {
        var targets = new List<TargetRef>();
        var errors = new List<string>();
        foreach (var part in (text ?? string.Empty).Split([',', ' ', '\n', '\r', '\t', ';'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (TryParse(part, out var error) is { } target)
            {
                if (!targets.Contains(target))
                {
                    targets.Add(target);
                }
            }
            else
            {
                errors.Add(error!);
            }
        }

        return (targets, errors);
    }
}
