using System.Xml;

namespace PortalOps.Jobs.Aws.Protocol;

/// <summary>
/// The forward-only walk the streaming EC2 readers (inventory, compliance) share over a Query answer: step into an element, visit its child
/// elements one by one (each read or skipped by the caller), read a tag set. Plain loops, no callbacks, nothing kept
/// that the reader does not use.
/// </summary>
internal static class Ec2Xml
{
    public static readonly XmlReaderSettings Settings = new()
    {
        IgnoreComments = true,
        IgnoreWhitespace = true,
        IgnoreProcessingInstructions = true,
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
    };

    public static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

    /// <summary>
    /// One page of an EC2 Describe answer: every <c>item</c> of the list element <paramref name="setName"/> handed to
    /// <paramref name="item"/> (which consumes it and adds what it reads), with the page's <c>nextToken</c> and <c>requestId</c>.
    /// </summary>
    public static (List<T> Items, string? NextToken, string? RequestId) ReadPage<T>(Stream xml, string setName, int capacity, Action<XmlReader, List<T>> item)
    {
        var items = new List<T>(capacity);
        string? next = null;
        string? requestId = null;
        using var r = XmlReader.Create(xml, Settings);
        r.MoveToContent();
        for (var root = Enter(r); Next(r, root);)
        {
            if (r.LocalName == "requestId")
            {
                requestId = r.ReadElementContentAsString();
            }
            else if (r.LocalName == "nextToken")
            {
                next = r.ReadElementContentAsString();
            }
            else if (r.LocalName == setName)
            {
                for (var set = Enter(r); Next(r, set);)
                {
                    if (r.LocalName == "item")
                    {
                        item(r, items);
                    }
                    else
                    {
                        r.Skip();
                    }
                }
            }
            else
            {
                r.Skip();
            }
        }

        return (items, string.IsNullOrEmpty(next) ? null : next, requestId);
    }

    /// <summary>A DescribeInstances page: each instance of every reservation read by <paramref name="instance"/>, which consumes its element.</summary>
    public static (List<T> Instances, string? NextToken, string? RequestId) ReadInstancesPage<T>(Stream xml, Func<XmlReader, T> instance) =>
        ReadPage<T>(xml, "reservationSet", 1000, (r, into) =>
        {
            for (var reservation = Enter(r); Next(r, reservation);)
            {
                if (r.LocalName != "instancesSet")
                {
                    r.Skip();
                    continue;
                }

                for (var list = Enter(r); Next(r, list);)
                {
                    if (r.LocalName == "item")
                    {
                        into.Add(instance(r));
                    }
                    else
                    {
                        r.Skip();
                    }
                }
            }
        });

    /// <summary>Steps into the current element: its depth, or -1 when it is empty (then already stepped over).</summary>
    public static int Enter(XmlReader r)
    {
        if (r.IsEmptyElement)
        {
            r.Read();
            return -1;
        }

        var depth = r.Depth;
        r.Read();
        return depth;
    }

    /// <summary>
    /// Moves to the next child element of the element entered at <paramref name="depth"/> (true), or past that element's end (false).
    /// Each child the caller is given must be consumed (read or skipped) before asking for the next.
    /// </summary>
    public static bool Next(XmlReader r, int depth)
    {
        if (depth < 0)
        {
            return false;
        }

        while (!r.EOF && r.Depth > depth)
        {
            if (r.NodeType == XmlNodeType.Element)
            {
                return true;
            }

            r.Read();
        }

        r.Read(); // the end of the element
        return false;
    }

    /// <summary>The text of the current element's child named <paramref name="name"/> (null when absent); the element is consumed.</summary>
    public static string? Child(XmlReader r, string name)
    {
        string? value = null;
        for (var e = Enter(r); Next(r, e);)
        {
            if (r.LocalName == name)
            {
                value = r.ReadElementContentAsString();
            }
            else
            {
                r.Skip();
            }
        }

        return value;
    }

    /// <summary>Whether the current list element has at least one <c>item</c>; the element is consumed.</summary>
    public static bool HasItems(XmlReader r)
    {
        var any = false;
        for (var e = Enter(r); Next(r, e);)
        {
            any |= r.LocalName == "item";
            r.Skip();
        }

        return any;
    }

    /// <summary>A <c>tagSet</c> as a dictionary (a value that is absent reads as empty, as the SDK mapping does); the element is consumed.</summary>
    public static IReadOnlyDictionary<string, string> Tags(XmlReader r)
    {
        Dictionary<string, string>? tags = null;
        for (var set = Enter(r); Next(r, set);)
        {
            if (r.LocalName != "item")
            {
                r.Skip();
                continue;
            }

            string? key = null, value = null;
            for (var item = Enter(r); Next(r, item);)
            {
                if (r.LocalName == "key")
                {
                    key = r.ReadElementContentAsString();
                }
                else if (r.LocalName == "value")
                {
                    value = r.ReadElementContentAsString();
                }
                else
                {
                    r.Skip();
                }
            }

            if (key is not null)
            {
                tags ??= new Dictionary<string, string>(4, StringComparer.Ordinal);
                tags[key] = value ?? "";
            }
        }

        return tags ?? NoTags;
    }

    public static bool Bool(string? s) => string.Equals(s, "true", StringComparison.OrdinalIgnoreCase);
}
