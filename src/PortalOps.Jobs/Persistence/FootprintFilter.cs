using System.Linq.Expressions;
using PortalOps.Domain.Security;

namespace PortalOps.Jobs.Persistence;

/// <summary>
/// Applies a <see cref="ReadScope"/> (made by the Authorizer) in the database, to rows that store a footprint in three columns
/// (<c>FootprintAccount</c>, <c>FootprintRegion</c>, <c>FootprintTags</c>), so that counts and pages hold only what the reader may see.
/// Mirrors <see cref="ReadScope.Covers"/>: a row is readable when one scope covers its footprint, or it is the reader's own.
/// </summary>
internal static class FootprintFilter
{
    public const string Account = "FootprintAccount";
    public const string Region = "FootprintRegion";
    public const string Tags = "FootprintTags";

    /// <summary>The three column values for a footprint (all null: the row touches no resource).</summary>
    public static (string? Account, string? Region, string? Tags) Columns(Footprint? footprint) =>
        footprint is null ? (null, null, null) : (footprint.Account, footprint.Region, footprint.TagsText);

    public static Footprint? Read(string? account, string? region, string? tags) =>
        account is null || region is null ? null : Footprint.FromStored(account, region, tags);

    /// <param name="owner">The row's owner column (the actor of an audit record), compared with <see cref="ReadScope.OwnerId"/>.</param>
    public static IQueryable<TRow> Visible<TRow>(this IQueryable<TRow> rows, ReadScope? scope, string? owner = null)
    {
        if (scope is null || scope.Everything)
        {
            return rows;
        }

        var row = Expression.Parameter(typeof(TRow), "r");
        var account = Expression.Property(row, Account);
        var region = Expression.Property(row, Region);
        var tags = Expression.Property(row, Tags);
        var contains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!;
        Expression? any = null;
        foreach (var s in scope.Scopes.Distinct())
        {
            Expression condition = Expression.NotEqual(account, Expression.Constant(null, typeof(string)));
            if (s.Account != Scope.Any)
            {
                condition = Expression.AndAlso(condition, Expression.Equal(account, Expression.Constant(s.Account)));
            }

            if (s.Region != Scope.Any)
            {
                condition = Expression.AndAlso(condition, Expression.Equal(region, Expression.Constant(s.Region)));
            }

            if (Footprint.Needle(s) is { } needle)
            {
                condition = Expression.AndAlso(condition, Expression.AndAlso(
                    Expression.NotEqual(tags, Expression.Constant(null, typeof(string))),
                    Expression.Call(tags, contains, Expression.Constant(needle))));
            }

            any = any is null ? condition : Expression.OrElse(any, condition);
        }

        if (owner is not null && scope.OwnerId is { } id && id != Guid.Empty)
        {
            var own = Expression.Equal(Expression.Property(row, owner), Expression.Constant((Guid?)id, typeof(Guid?)));
            any = any is null ? own : Expression.OrElse(any, own);
        }

        // No scope and nothing of one's own: nothing to read (deny by default).
        return rows.Where(Expression.Lambda<Func<TRow, bool>>(any ?? Expression.Constant(false), row));
    }
}
