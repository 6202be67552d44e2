namespace PortalOps.Domain.Costs;

/// <summary>Thrown when a cost request is refused before anything changes; the message says why and what to do.</summary>
public sealed class CostRuleException(string message) : Exception(message);

/// <summary>
/// A person's "not this one": a recommendation hidden until <see cref="Until"/>, with the reason. When it expires the
/// recommendation shows again if the next scan still finds it.
/// </summary>
public sealed record Dismissal(string RecommendationKey, string Reason, DateTimeOffset Until, Guid By, string ByName, DateTimeOffset At)
{
    public static readonly TimeSpan Longest = TimeSpan.FromDays(366);

    public bool IsActive(DateTimeOffset now) => now < Until;

    /// <summary>A dismissal of <paramref name="recommendationKey"/>: a reason is required, and the expiry lies within the next year.</summary>
    public static Dismissal Create(string recommendationKey, string? reason, DateTimeOffset until, Guid by, string byName, DateTimeOffset now)
    {
        var text = reason?.Trim() ?? string.Empty;
        if (text.Length < 3)
        {
            throw new CostRuleException("Say why the recommendation is dismissed (at least 3 characters).");
        }

        if (text.Length > 500)
        {
            throw new CostRuleException("The reason is too long (500 characters at most).");
        }

        if (until <= now)
        {
            throw new CostRuleException("The dismissal must expire in the future.");
        }

        if (until > now + Longest)
        {
            throw new CostRuleException("A dismissal lasts a year at most; dismiss it again when it expires.");
        }

        return new Dismissal(recommendationKey, text, until, by, byName, now);
    }
}
