using PortalOps.Domain.Instances;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Tests.Instances;

public class InstanceQueryTests
{
    // Five instances chosen so that every sort gives a different order.
    private static readonly IReadOnlyList<Instance> Fleet =
    [
        Make.Instance("i-0a", Make.ProdAccount, "eu-west-1", "web-1", InstanceState.Running, "t3.micro", Make.Now.AddDays(-5), "10.0.0.1", ["env=prod", "team=web"]),
        Make.Instance("i-0b", Make.ProdAccount, "us-east-1", "web-2", InstanceState.Stopped, "t3.small", Make.Now.AddDays(-1), "10.0.0.2", ["env=staging", "team=web"]),
        Make.Instance("i-0c", Make.DevAccount, "eu-west-1", "db-1", InstanceState.Running, "m5.large", Make.Now.AddDays(-3), null, ["role=database"]),
        Make.Instance("i-0d", Make.DevAccount, "us-east-1", "Batch", InstanceState.Pending, "c5.xlarge", Make.Now.AddDays(-2), "10.0.1.7", ["env=dev"]),
        Make.Instance("i-0e", Make.ProdAccount, "eu-west-1", "api", InstanceState.Terminated, "t3.micro", Make.Now.AddDays(-4), null, ["team=api"]),
    ];

    private static string[] Ids(InstanceQuery query) => query.Apply(Fleet).Items.Select(i => i.InstanceId).ToArray();

    [Fact]
    public void Apply_NoFilter_ReturnsWholeFleetSortedByNameIgnoringCase()
    {
        var page = new InstanceQuery().Apply(Fleet);

        Assert.Equal(["i-0e", "i-0d", "i-0c", "i-0a", "i-0b"], page.Items.Select(i => i.InstanceId));
        Assert.Equal(5, page.TotalCount);
    }

    [Theory]
    [InlineData(InstanceState.Running, new[] { "i-0c", "i-0a" })]
    [InlineData(InstanceState.Stopped, new[] { "i-0b" })]
    [InlineData(InstanceState.Stopping, new string[0])]
    public void Apply_StateFilter_KeepsOnlyThatState(InstanceState state, string[] expected)
    {
        Assert.Equal(expected, Ids(new InstanceQuery { State = state }));
    }

    [Fact]
    public void Apply_VisibleTo_KeepsOnlyWhatTheScopesCover()
    {
        Assert.Equal(["i-0e", "i-0a"], Ids(new InstanceQuery { VisibleTo = [Scope.Parse($"{Make.ProdAccount}/eu-west-1")] }));
        Assert.Equal(["i-0a", "i-0b"], Ids(new InstanceQuery { VisibleTo = [Scope.Parse("*/*/team=web")] }));
        Assert.Empty(Ids(new InstanceQuery { VisibleTo = [] }));
    }

    [Fact]
    public void Apply_AccountFilter_KeepsOnlyThatAccount()
    {
        Assert.Equal(["i-0d", "i-0c"], Ids(new InstanceQuery { AccountId = Make.DevAccount }));
    }

    [Fact]
    public void Apply_RegionFilter_KeepsOnlyThatRegion()
    {
        Assert.Equal(["i-0d", "i-0b"], Ids(new InstanceQuery { Region = "us-east-1" }));
    }

    [Fact]
    public void Apply_TagKeyOnly_KeepsInstancesWithThatKeyWhateverTheValue()
    {
        Assert.Equal(["i-0d", "i-0a", "i-0b"], Ids(new InstanceQuery { Tag = "env" }));
    }

    [Theory]
    [InlineData("env=prod")]
    [InlineData("env=PROD")]
    [InlineData(" env = prod ")]
    public void Apply_TagKeyAndValue_KeepsExactValueIgnoringCaseAndSpaces(string tag)
    {
        Assert.Equal(["i-0a"], Ids(new InstanceQuery { Tag = tag }));
    }

    [Theory]
    [InlineData("env=qa")]
    [InlineData("owner")]
    [InlineData("prod")]
    public void Apply_TagNobodyHas_ReturnsNothing(string tag)
    {
        var page = new InstanceQuery { Tag = tag }.Apply(Fleet);

        Assert.Empty(page.Items);
        Assert.Equal(0, page.TotalCount);
    }

    [Theory]
    [InlineData("WEB", new[] { "i-0a", "i-0b" })] // name, any case
    [InlineData("i-0e", new[] { "i-0e" })] // instance id
    [InlineData("m5.", new[] { "i-0c" })] // instance type
    [InlineData("10.0.1", new[] { "i-0d" })] // private IP
    [InlineData("staging", new[] { "i-0b" })] // tag value
    [InlineData("  database  ", new[] { "i-0c" })] // trimmed
    [InlineData("role", new string[0])] // tag keys are not searched
    public void Apply_Text_MatchesIdNameTypeIpAndTagValues(string text, string[] expected)
    {
        Assert.Equal(expected, Ids(new InstanceQuery { Text = text }));
    }

    [Fact]
    public void Apply_SeveralFilters_AllMustHold()
    {
        var query = new InstanceQuery { AccountId = Make.ProdAccount, Region = "eu-west-1", State = InstanceState.Running, Tag = "team=web", Text = "web" };

        Assert.Equal(["i-0a"], Ids(query));
        Assert.Empty(Ids(query with { State = InstanceState.Stopped }));
    }

    [Theory]
    [InlineData(InstanceSort.Name, false, new[] { "i-0e", "i-0d", "i-0c", "i-0a", "i-0b" })]
    [InlineData(InstanceSort.Name, true, new[] { "i-0b", "i-0a", "i-0c", "i-0d", "i-0e" })]
    [InlineData(InstanceSort.InstanceId, false, new[] { "i-0a", "i-0b", "i-0c", "i-0d", "i-0e" })]
    [InlineData(InstanceSort.InstanceId, true, new[] { "i-0e", "i-0d", "i-0c", "i-0b", "i-0a" })]
    [InlineData(InstanceSort.State, false, new[] { "i-0d", "i-0a", "i-0c", "i-0b", "i-0e" })]
    [InlineData(InstanceSort.Type, false, new[] { "i-0d", "i-0c", "i-0a", "i-0e", "i-0b" })]
    [InlineData(InstanceSort.Region, false, new[] { "i-0a", "i-0c", "i-0e", "i-0b", "i-0d" })]
    [InlineData(InstanceSort.Region, true, new[] { "i-0b", "i-0d", "i-0a", "i-0c", "i-0e" })]
    [InlineData(InstanceSort.LaunchTime, false, new[] { "i-0a", "i-0e", "i-0c", "i-0d", "i-0b" })]
    [InlineData(InstanceSort.LaunchTime, true, new[] { "i-0b", "i-0d", "i-0c", "i-0e", "i-0a" })]
    public void Apply_Sort_OrdersByThatColumnThenByInstanceId(InstanceSort sort, bool descending, string[] expected)
    {
        Assert.Equal(expected, Ids(new InstanceQuery { SortBy = sort, Descending = descending }));
    }

    [Fact]
    public void Apply_SecondPage_ReturnsTheNextSliceAndTheFilteredTotal()
    {
        var page = new InstanceQuery { SortBy = InstanceSort.InstanceId, PageSize = 2, PageIndex = 1 }.Apply(Fleet);

        Assert.Equal(["i-0c", "i-0d"], page.Items.Select(i => i.InstanceId));
        Assert.Equal(5, page.TotalCount);
        Assert.Equal(1, page.PageIndex);
        Assert.Equal(2, page.PageSize);
    }

    [Fact]
    public void Apply_LastPartialPage_ReturnsWhatIsLeft()
    {
        var page = new InstanceQuery { SortBy = InstanceSort.InstanceId, PageSize = 2, PageIndex = 2 }.Apply(Fleet);

        Assert.Equal(["i-0e"], page.Items.Select(i => i.InstanceId));
    }

    [Fact]
    public void Apply_Filtered_TotalCountsOnlyMatches()
    {
        var page = new InstanceQuery { Tag = "team", PageSize = 1 }.Apply(Fleet);

        Assert.Single(page.Items);
        Assert.Equal(3, page.TotalCount);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-10, 1)]
    [InlineData(InstanceQuery.MaxPageSize + 1, InstanceQuery.MaxPageSize)]
    [InlineData(int.MaxValue, InstanceQuery.MaxPageSize)]
    public void Apply_PageSizeOutOfBounds_IsClamped(int asked, int expected)
    {
        var fleet = Enumerable.Range(0, InstanceQuery.MaxPageSize + 20).Select(n => Make.Instance($"i-{n:D5}")).ToList();

        var page = new InstanceQuery { PageSize = asked }.Apply(fleet);

        Assert.Equal(expected, page.PageSize);
        Assert.Equal(expected, page.Items.Count);
        Assert.Equal(fleet.Count, page.TotalCount);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(1_000)]
    [InlineData(100_000_000)]
    [InlineData(int.MaxValue)]
    public void Apply_PageBeyondTheEnd_IsEmptyButKeepsTheTotal(int pageIndex)
    {
        var page = new InstanceQuery { PageSize = 25, PageIndex = pageIndex }.Apply(Fleet);

        Assert.Empty(page.Items);
        Assert.Equal(5, page.TotalCount);
    }

    [Fact]
    public void Apply_NegativePageIndex_ReturnsFirstPage()
    {
        var page = new InstanceQuery { SortBy = InstanceSort.InstanceId, PageSize = 2, PageIndex = -3 }.Apply(Fleet);

        Assert.Equal(["i-0a", "i-0b"], page.Items.Select(i => i.InstanceId));
        Assert.Equal(0, page.PageIndex);
    }
}
