using PortalOps.Domain.Audit;
using PortalOps.Web.Components.Pages.Audit;

namespace PortalOps.Web.Tests.Components.Pages.Audit;

public sealed class AuditFilterTests
{
    [Fact]
    public void ExportUrl_TextWithSpecialCharacters_IsEscaped()
    {
        var filter = new AuditFilter { Text = "a&b=c #1", Outcome = AuditOutcome.Failed };

        Assert.Equal("/audit/export.csv?text=a%26b%3Dc%20%231&outcome=Failed", filter.ExportUrl());
    }

    [Fact]
    public void ToQuery_BlankFields_BecomeNoFilter()
    {
        var query = new AuditFilter { Text = "  ", Actor = string.Empty, Action = " approval. " }.ToQuery(2, 25);

        Assert.Null(query.Text);
        Assert.Null(query.Actor);
        Assert.Equal("approval.", query.Action);
        Assert.Equal((2, 25), (query.PageIndex, query.PageSize));
    }

    [Fact]
    public void ToQuery_OneDay_CoversThatWholeUtcDay()
    {
        var day = new DateTime(2026, 3, 1);

        var query = new AuditFilter { FromDate = day, ToDate = day }.ToQuery(0, 50);

        Assert.Equal(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), query.From);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 23, 59, 59, TimeSpan.Zero).AddTicks(TimeSpan.TicksPerSecond - 1), query.To);
    }
}
