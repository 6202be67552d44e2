namespace PortalOps.Jobs.Compliance.Reports;

/// <summary>A table column: header, width in points, how many lines a cell may wrap to before it is cut with an ellipsis.</summary>
internal sealed record PdfColumn(string Header, double Width, int MaxLines = 1, bool AlignRight = false);
