using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace PortalOps.Jobs.Compliance.Reports;

/// <summary>
/// Lays text, tables and bar charts down A4 landscape pages, top to bottom, starting a new page when the next block does not fit.
/// Tables repeat their caption and header on every page they run onto; cells wrap to their column's line limit and are cut with
/// an ellipsis past it. <see cref="Finish"/> numbers the pages ("Page n of m") once the count is known.
/// </summary>
internal sealed class PdfPageFlow : IDisposable
{
    public const double Margin = 36;
    public const double FooterHeight = 18;
    public const double CellPadding = 2.5;

    private static readonly XPdfFontOptions Unicode = new(PdfFontEncoding.Unicode);
    private static readonly XColor HeaderFill = XColor.FromArgb(0x26, 0x3A, 0x4F);
    private static readonly XColor StripeFill = XColor.FromArgb(0xF1, 0xF4, 0xF7);
    private static readonly XColor RuleColor = XColor.FromArgb(0xC5, 0xCE, 0xD6);

    private readonly PdfDocument _document;
    private readonly List<PdfPage> _pages = [];
    private readonly Dictionary<XFont, Dictionary<char, double>> _widths = [];
    private readonly XGraphics _measure;
    private XGraphics? _graphics;

    public PdfPageFlow(PdfDocument document)
    {
        _document = document;
        _measure = XGraphics.CreateMeasureContext(new XSize(842, 595), XGraphicsUnit.Point, XPageDirection.Downwards);
        Body = Font(9);
        Small = Font(7.5);
        SmallBold = Font(7.5, bold: true);
        Bold = Font(9, bold: true);
        H1 = Font(22, bold: true);
        H2 = Font(14, bold: true);
        H3 = Font(10.5, bold: true);
    }

    public XFont Body { get; }

    public XFont Small { get; }

    public XFont SmallBold { get; }

    public XFont Bold { get; }

    public XFont H1 { get; }

    public XFont H2 { get; }

    public XFont H3 { get; }

    public double Y { get; set; }

    public double Left => Margin;

    public double Right => PageWidth - Margin;

    public double ContentWidth => Right - Left;

    public double PageWidth { get; private set; } = 842;

    public double PageHeight { get; private set; } = 595;

    public double Bottom => PageHeight - Margin - FooterHeight;

    public XGraphics Graphics => _graphics ?? throw new InvalidOperationException("No page yet.");

    public int PageCount => _pages.Count;

    public static XFont Font(double size, bool bold = false) =>
        new(ReportFontResolver.Family, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, Unicode);

    public void NewPage()
    {
        _graphics?.Dispose();
        var page = _document.AddPage();
        page.Size = PageSize.A4;
        page.Orientation = PageOrientation.Landscape;
        PageWidth = page.Width.Point;
        PageHeight = page.Height.Point;
        _pages.Add(page);
        _graphics = XGraphics.FromPdfPage(page);
        Y = Margin;
    }

    /// <summary>Starts a new page unless <paramref name="height"/> more points fit on this one.</summary>
    public void Ensure(double height)
    {
        if (_graphics is null || Y + height > Bottom)
        {
            NewPage();
        }
    }

    public void Text(string text, XFont font, double x, double y, XBrush? brush = null) =>
        Graphics.DrawString(text, font, brush ?? XBrushes.Black, x, y, XStringFormats.TopLeft);

    public void TextRight(string text, XFont font, double right, double y, XBrush? brush = null) =>
        Graphics.DrawString(text, font, brush ?? XBrushes.Black, right - Width(text, font), y, XStringFormats.TopLeft);

    public static double LineHeight(XFont font) => font.Size * 1.25;

    /// <summary>A heading, kept on the same page as at least <paramref name="keepWith"/> points of what follows.</summary>
    public void Heading(string text, XFont font, double keepWith = 40)
    {
        Ensure(LineHeight(font) + 4 + keepWith);
        Text(text, font, Left, Y);
        Y += LineHeight(font) + 4;
    }

    /// <summary>A paragraph wrapped to the content width.</summary>
    public void Paragraph(string text, XFont? font = null, XBrush? brush = null, int maxLines = 12)
    {
        var f = font ?? Body;
        foreach (var line in Wrap(text, f, ContentWidth, maxLines))
        {
            Ensure(LineHeight(f));
            Text(line, f, Left, Y, brush);
            Y += LineHeight(f);
        }

        Y += 3;
    }

    /// <summary>Label and value in two columns.</summary>
    public void Field(string label, string value, double labelWidth = 120)
    {
        var lines = Wrap(value, Body, ContentWidth - labelWidth, 4);
        Ensure(lines.Count * LineHeight(Body));
        Text(label, Bold, Left, Y);
        foreach (var line in lines)
        {
            Text(line, Body, Left + labelWidth, Y);
            Y += LineHeight(Body);
        }

        Y += 1;
    }

    /// <summary>
    /// A table whose caption and header are drawn again on every page it runs onto. Rows are drawn as they come, so a long table
    /// never needs all its rows at once.
    /// </summary>
    public int Table(string caption, IReadOnlyList<PdfColumn> columns, IEnumerable<IReadOnlyList<string>> rows, XFont? font = null, XFont? headerFont = null)
    {
        var f = font ?? Small;
        var hf = headerFont ?? SmallBold;
        var line = LineHeight(f);
        var headerHeight = LineHeight(hf) + 2 * CellPadding;
        var captionHeight = LineHeight(H3) + 2;
        var count = 0;
        var onThisPage = false;

        void Head(bool continued)
        {
            Text(continued ? caption + " (continued)" : caption, H3, Left, Y);
            Y += captionHeight;
            Graphics.DrawRectangle(new XSolidBrush(HeaderFill), Left, Y, columns.Sum(c => c.Width), headerHeight);
            var x = Left;
            foreach (var c in columns)
            {
                var h = Fit(c.Header, hf, c.Width - 2 * CellPadding);
                if (c.AlignRight)
                {
                    TextRight(h, hf, x + c.Width - CellPadding, Y + CellPadding, XBrushes.White);
                }
                else
                {
                    Text(h, hf, x + CellPadding, Y + CellPadding, XBrushes.White);
                }

                x += c.Width;
            }

            Y += headerHeight;
            onThisPage = true;
        }

        foreach (var row in rows)
        {
            var cells = new List<string>[columns.Count];
            var lines = 1;
            for (var i = 0; i < columns.Count; i++)
            {
                cells[i] = Wrap(i < row.Count ? row[i] : string.Empty, f, columns[i].Width - 2 * CellPadding, columns[i].MaxLines);
                lines = Math.Max(lines, cells[i].Count);
            }

            var height = lines * line + 2 * CellPadding;
            if (!onThisPage)
            {
                Ensure(captionHeight + headerHeight + height);
                Head(continued: false);
            }
            else if (Y + height > Bottom)
            {
                NewPage();
                Head(continued: true);
            }

            if (count % 2 == 1)
            {
                Graphics.DrawRectangle(new XSolidBrush(StripeFill), Left, Y, columns.Sum(c => c.Width), height);
            }

            var x = Left;
            for (var i = 0; i < columns.Count; i++)
            {
                var ty = Y + CellPadding;
                foreach (var text in cells[i])
                {
                    if (columns[i].AlignRight)
                    {
                        TextRight(text, f, x + columns[i].Width - CellPadding, ty);
                    }
                    else
                    {
                        Text(text, f, x + CellPadding, ty);
                    }

                    ty += line;
                }

                x += columns[i].Width;
            }

            Y += height;
            count++;
        }

        if (!onThisPage)
        {
            Ensure(captionHeight + headerHeight);
            Head(continued: false);
        }

        Graphics.DrawLine(new XPen(RuleColor, 0.5), Left, Y, Left + columns.Sum(c => c.Width), Y);
        Y += 10;
        return count;
    }

    /// <summary>A horizontal bar chart of percentages (0–100), one bar per label, with gridlines at 0, 25, 50, 75 and 100.</summary>
    public void BarChart(string caption, IReadOnlyList<(string Label, double Percent, string Note)> bars)
    {
        const double barHeight = 10;
        const double gap = 4;
        const double labelWidth = 200;
        const double noteWidth = 90;
        var axisHeight = LineHeight(Small) + 2;
        Heading(caption, H3, keepWith: barHeight + gap + axisHeight);
        var x0 = Left + labelWidth;
        var width = ContentWidth - labelWidth - noteWidth;
        var gridPen = new XPen(RuleColor, 0.5);

        void Axis()
        {
            foreach (var tick in new[] { 0, 25, 50, 75, 100 })
            {
                var tx = x0 + width * tick / 100;
                var label = tick + "%";
                Text(label, Small, tx - Width(label, Small) / 2, Y, XBrushes.DimGray);
            }

            Y += axisHeight;
        }

        Axis();
        var top = Y;
        foreach (var (label, percent, note) in bars)
        {
            if (Y + barHeight + gap > Bottom)
            {
                Grid(gridPen, x0, width, top, Y);
                NewPage();
                Heading(caption + " (continued)", H3, keepWith: barHeight + gap);
                Axis();
                top = Y;
            }

            Text(Fit(label, Small, labelWidth - 6), Small, Left, Y + 0.5);
            var w = Math.Max(0.5, width * Math.Clamp(percent, 0, 100) / 100);
            Graphics.DrawRectangle(new XSolidBrush(ScoreColor(percent)), x0, Y, w, barHeight);
            Text(Fit($"{percent:0.0}%  {note}", Small, noteWidth + width - w - 4), Small, x0 + w + 3, Y + 0.5);
            Y += barHeight + gap;
        }

        Grid(gridPen, x0, width, top, Y);
        Y += 8;
    }

    /// <summary>Green from 90 %, amber from 70 %, red below.</summary>
    public static XColor ScoreColor(double percent) =>
        percent >= 90 ? XColor.FromArgb(0x2E, 0x7D, 0x32) : percent >= 70 ? XColor.FromArgb(0xF9, 0xA8, 0x25) : XColor.FromArgb(0xC6, 0x28, 0x28);

    /// <summary>Writes "Page n of m" and <paramref name="footer"/> at the foot of every page.</summary>
    public void Finish(string footer)
    {
        _graphics?.Dispose();
        _graphics = null;
        for (var i = 0; i < _pages.Count; i++)
        {
            var page = _pages[i];
            using var g = XGraphics.FromPdfPage(page, XGraphicsPdfPageOptions.Append);
            var y = page.Height.Point - Margin;
            var number = $"Page {i + 1} of {_pages.Count}";
            g.DrawLine(new XPen(RuleColor, 0.5), Margin, y - 3, page.Width.Point - Margin, y - 3);
            g.DrawString(Fit(footer, Small, page.Width.Point - 2 * Margin - 80), Small, XBrushes.DimGray, Margin, y, XStringFormats.TopLeft);
            g.DrawString(number, Small, XBrushes.DimGray, page.Width.Point - Margin - Width(number, Small), y, XStringFormats.TopLeft);
        }
    }

    public void Dispose()
    {
        _graphics?.Dispose();
        _measure.Dispose();
    }

    /// <summary>The text's width: the sum of its characters' widths, each measured once per font (kerning is left out).</summary>
    public double Width(string text, XFont font)
    {
        var table = WidthsOf(font);
        double total = 0;
        foreach (var c in text)
        {
            total += CharWidth(table, c, font);
        }

        return total;
    }

    /// <summary>The text cut to the width with an ellipsis when it does not fit.</summary>
    public string Fit(string text, XFont font, double width)
    {
        if (Width(text, font) <= width)
        {
            return text;
        }

        var table = WidthsOf(font);
        var ellipsis = Width("…", font);
        var used = 0.0;
        var i = 0;
        for (; i < text.Length; i++)
        {
            var w = CharWidth(table, text[i], font);
            if (used + w + ellipsis > width)
            {
                break;
            }

            used += w;
        }

        return text[..i].TrimEnd() + "…";
    }

    /// <summary>
    /// The text broken into lines at spaces (a word wider than a line is broken where it must), at most <paramref name="maxLines"/>;
    /// the last line carries an ellipsis when text was left over.
    /// </summary>
    public List<string> Wrap(string? text, XFont font, double width, int maxLines)
    {
        var clean = (text ?? string.Empty).Replace('\r', ' ').Replace('\n', ' ').Replace('\t', ' ').Trim();
        if (maxLines <= 1 || Width(clean, font) <= width)
        {
            return [Fit(clean, font, width)];
        }

        var lines = new List<string>();
        var rest = clean;
        while (rest.Length > 0 && lines.Count < maxLines)
        {
            if (lines.Count == maxLines - 1 || Width(rest, font) <= width)
            {
                lines.Add(Fit(rest, font, width));
                break;
            }

            var cut = Break(rest, font, width);
            lines.Add(rest[..cut].TrimEnd());
            rest = rest[cut..].TrimStart();
        }

        return lines;
    }

    // Where a line that must end within the width ends: after the last space that fits, or mid-word when no space does.
    private int Break(string text, XFont font, double width)
    {
        var table = WidthsOf(font);
        var used = 0.0;
        var lastSpace = -1;
        for (var i = 0; i < text.Length; i++)
        {
            used += CharWidth(table, text[i], font);
            if (used > width)
            {
                return lastSpace > 0 ? lastSpace + 1 : Math.Max(1, i);
            }

            if (text[i] == ' ')
            {
                lastSpace = i;
            }
        }

        return text.Length;
    }

    private Dictionary<char, double> WidthsOf(XFont font)
    {
        if (!_widths.TryGetValue(font, out var table))
        {
            _widths[font] = table = [];
        }

        return table;
    }

    private double CharWidth(Dictionary<char, double> table, char c, XFont font)
    {
        if (!table.TryGetValue(c, out var w))
        {
            table[c] = w = _measure.MeasureString(c.ToString(), font).Width;
        }

        return w;
    }

    private void Grid(XPen pen, double x0, double width, double top, double bottom)
    {
        foreach (var tick in new[] { 0, 25, 50, 75, 100 })
        {
            var tx = x0 + width * tick / 100;
            Graphics.DrawLine(pen, tx, top - 1, tx, bottom - 2);
        }
    }
}
