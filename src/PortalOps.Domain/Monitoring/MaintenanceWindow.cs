using PortalOps.Domain.Common;
using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Monitoring;

/// <summary>A time when some instances are expected to misbehave: rules (one, or all) stay silent for them.</summary>
public sealed class MaintenanceWindow
{
    public static readonly TimeSpan MaxLength = TimeSpan.FromDays(30);

    private MaintenanceWindow()
    {
        Name = string.Empty;
        Scope = new RuleScope(ScopeKind.Account, "*");
        CreatedByName = string.Empty;
    }

    public Guid Id { get; private init; }

    public string Name { get; private init; }

    public RuleScope Scope { get; private init; }

    /// <summary>The one rule it silences, or null for every rule.</summary>
    public Guid? RuleId { get; private init; }

    public DateTimeOffset StartsAt { get; private init; }

    public DateTimeOffset EndsAt { get; private init; }

    public Guid CreatedBy { get; private init; }

    public string CreatedByName { get; private init; }

    public static MaintenanceWindow Create(string? name, RuleScope scope, Guid? ruleId, DateTimeOffset startsAt, DateTimeOffset endsAt, Actor actor, DateTimeOffset now)
    {
        if (actor.Role < Role.Operator)
        {
            throw new DomainException($"{actor.Name} is {actor.Role}; maintenance windows are set by Operators and above.");
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw new DomainException("Give the window a name.");
        }

        if (ScopeProblem(scope.Kind, scope.Value) is { } problem)
        {
            throw new DomainException(problem);
        }

        if (endsAt <= startsAt)
        {
            throw new DomainException("A window ends after it starts.");
        }

        if (endsAt - startsAt > MaxLength)
        {
            throw new DomainException($"A window lasts at most {MaxLength.TotalDays:0} days.");
        }

        if (endsAt <= now)
        {
            throw new DomainException("This window would already be over.");
        }

        return new MaintenanceWindow
        {
            Id = Guid.CreateVersion7(now), Name = name.Trim(), Scope = scope with { Value = scope.Value.Trim() }, RuleId = ruleId,
            StartsAt = startsAt, EndsAt = endsAt, CreatedBy = actor.UserId, CreatedByName = actor.Name,
        };
    }

    /// <summary>
    /// Null when the value fits the kind; otherwise a message for the field. Stricter than a rule's scope: a window silences alerts,
    /// so a tag scope names its value too (<c>key=value</c>), never every instance that merely carries the key.
    /// </summary>
    public static string? ScopeProblem(ScopeKind kind, string? value)
    {
        if (RuleScope.Problem(kind, value) is { } problem)
        {
            return problem;
        }

        var v = value!.Trim();
        var eq = v.IndexOf('=', StringComparison.Ordinal);
        return kind == ScopeKind.Tag && (eq <= 0 || v[(eq + 1)..].Trim().Length == 0) ? $"'{v}' is not key=value: name the tag's value too, such as env=staging." : null;
    }

    public static MaintenanceWindow FromStore(Guid id, string name, RuleScope scope, Guid? ruleId, DateTimeOffset startsAt, DateTimeOffset endsAt, Guid createdBy, string createdByName) =>
        new() { Id = id, Name = name, Scope = scope, RuleId = ruleId, StartsAt = startsAt, EndsAt = endsAt, CreatedBy = createdBy, CreatedByName = createdByName };

    public bool IsActiveAt(DateTimeOffset now) => StartsAt <= now && now < EndsAt;

    public bool Silences(Guid ruleId, InstanceRef instance, IReadOnlyDictionary<string, string> tags, DateTimeOffset now) =>
        IsActiveAt(now) && (RuleId is null || RuleId == ruleId) && Scope.Covers(instance, tags);
}

public interface IMaintenanceWindowStore
{
    /// <summary>Windows that have not ended yet (current and future), soonest first.</summary>
    Task<IReadOnlyList<MaintenanceWindow>> ListAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    Task AddAsync(MaintenanceWindow window, CancellationToken cancellationToken = default);

    Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default);
}
