using System.Collections;
using System.Globalization;
using System.Text;

namespace PortalOps.Jobs.Aws.Protocol;

/// <summary>
/// Flattened parameters of an AWS Query request: structures as <c>A.B</c>, lists as <c>A.member.N</c> (1-based).
/// Null values are left out, so operation definitions can pass optional fields straight through.
/// </summary>
public sealed class QueryParameters : IEnumerable<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> items;
    private readonly string prefix;

    public QueryParameters()
        : this([], "")
    {
    }

    private QueryParameters(List<KeyValuePair<string, string>> items, string prefix)
    {
        this.items = items;
        this.prefix = prefix;
    }

    public int Count => items.Count;

    public QueryParameters Add(string name, string? value)
    {
        if (value is not null)
        {
            items.Add(new(prefix + name, value));
        }

        return this;
    }

    public QueryParameters Add(string name, int? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));

    public QueryParameters Add(string name, long? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));

    public QueryParameters Add(string name, double? value) => Add(name, value?.ToString("R", CultureInfo.InvariantCulture));

    public QueryParameters Add(string name, bool? value) => Add(name, value is null ? null : value.Value ? "true" : "false");

    public QueryParameters Add(string name, DateTimeOffset? value) =>
        Add(name, value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

    /// <summary>A nested structure: its members are written under <c>name.</c>.</summary>
    public QueryParameters Struct(string name, Action<QueryParameters>? write)
    {
        write?.Invoke(new QueryParameters(items, prefix + name + "."));
        return this;
    }

    /// <summary>A list of strings: <c>name.member.1</c>, <c>name.member.2</c>, …</summary>
    public QueryParameters List(string name, IEnumerable<string>? values)
    {
        if (values is null)
        {
            return this;
        }

        var i = 1;
        foreach (var v in values)
        {
            items.Add(new($"{prefix}{name}.member.{i++}", v));
        }

        return this;
    }

    /// <summary>A list of structures: each item's members under <c>name.member.N.</c>.</summary>
    public QueryParameters List<T>(string name, IEnumerable<T>? values, Action<QueryParameters, T> write)
    {
        if (values is null)
        {
            return this;
        }

        var i = 1;
        foreach (var v in values)
        {
            write(new QueryParameters(items, $"{prefix}{name}.member.{i++}."), v);
        }

        return this;
    }

    /// <summary>Form-encodes <c>Action</c>, <c>Version</c> and the parameters (RFC 3986 unreserved characters left as they are).</summary>
    public string ToFormBody(string action, string version)
    {
        var sb = new StringBuilder(64 + (items.Count * 32));
        sb.Append("Action=").Append(Uri.EscapeDataString(action)).Append("&Version=").Append(Uri.EscapeDataString(version));
        foreach (var (k, v) in items)
        {
            sb.Append('&').Append(Uri.EscapeDataString(k)).Append('=').Append(Uri.EscapeDataString(v));
        }

        return sb.ToString();
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
