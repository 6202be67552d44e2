namespace PortalOps.Domain.Security;

/// <summary>Roles are ordered: each one can do everything the ones below it can.</summary>
public enum Role
{
    Viewer = 0,
    Operator = 1,
    Approver = 2,
    Admin = 3,
}

/// <summary>
/// Where a role applies: an account, a region and optionally a tag, each of which may be "*".
/// Written as "account/region" or "account/region/key=value".
/// </summary>
public sealed record Scope(string Account, string Region, string? TagKey = null, string? TagValue = null)
{
    public const string Any = "*";

    public static Scope Everything { get; } = new(Any, Any);

    public bool Covers(string account, string region, IReadOnlyDictionary<string, string> tags)
    {
        if (Account != Any && !string.Equals(Account, account, StringComparison.Ordinal))
        {
            return false;
        }

        if (Region != Any && !string.Equals(Region, region, StringComparison.Ordinal))
        {
            return false;
        }

        if (TagKey is null)
        {
            return true;
        }

        return tags.TryGetValue(TagKey, out var value)
            && (TagValue is null or Any || string.Equals(value, TagValue, StringComparison.OrdinalIgnoreCase));
    }

    public override string ToString() =>
        TagKey is null ? $"{Account}/{Region}" : $"{Account}/{Region}/{TagKey}={TagValue ?? Any}";

    public static Scope Parse(string text)
    {
        if (!TryParse(text, out var scope, out var error))
        {
            throw new Common.DomainException(error);
        }

        return scope;
    }

    public static bool TryParse(string? text, out Scope scope, out string error)
    {
        scope = Everything;
        error = string.Empty;
        var parts = (text ?? string.Empty).Trim().Split('/', StringSplitOptions.TrimEntries);
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            error = $"'{text}' is not a scope; write account/region or account/region/key=value (\"*\" for any).";
            return false;
        }

        if (parts[0] != Any && !IsAccountId(parts[0]) && !IsSimpleName(parts[0]))
        {
            error = $"'{parts[0]}' is not an account id.";
            return false;
        }

        if (parts[1] != Any && !IsSimpleName(parts[1]))
        {
            error = $"'{parts[1]}' is not a region.";
            return false;
        }

        if (parts.Length == 2)
        {
            scope = new Scope(parts[0], parts[1]);
            return true;
        }

        var eq = parts[2].IndexOf('=', StringComparison.Ordinal);
        var key = eq < 0 ? parts[2] : parts[2][..eq].Trim();
        var value = eq < 0 ? null : parts[2][(eq + 1)..].Trim();
        if (key.Length == 0)
        {
            error = $"'{parts[2]}' is not a tag; write key=value.";
            return false;
        }

        scope = new Scope(parts[0], parts[1], key, string.IsNullOrEmpty(value) ? null : value);
        return true;
    }

    private static bool IsAccountId(string s) => s.Length == 12 && s.All(char.IsAsciiDigit);

    private static bool IsSimpleName(string s) => s.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
