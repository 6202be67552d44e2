using PortalOps.Domain.Common;
using PortalOps.Domain.Security;

namespace PortalOps.Domain.Tests.Security;

public class ScopeTests
{
    private static readonly IReadOnlyDictionary<string, string> NoTags = Make.Tags();

    [Fact]
    public void Parse_AnyAccountAnyRegion_IsEverything()
    {
        var scope = Scope.Parse("*/*");

        Assert.Equal(Scope.Everything, scope);
        Assert.Null(scope.TagKey);
        Assert.True(scope.Covers(Make.DevAccount, "ap-south-1", NoTags));
    }

    [Fact]
    public void Parse_AccountAndRegion_ReadsBoth()
    {
        var scope = Scope.Parse("123456789012/eu-west-1");

        Assert.Equal(new Scope("123456789012", "eu-west-1"), scope);
        Assert.Equal("123456789012/eu-west-1", scope.ToString());
    }

    [Fact]
    public void Parse_TagWithValue_ReadsKeyAndValue()
    {
        var scope = Scope.Parse("*/us-east-1/env=prod");

        Assert.Equal(new Scope("*", "us-east-1", "env", "prod"), scope);
        Assert.Equal("*/us-east-1/env=prod", scope.ToString());
    }

    [Fact]
    public void Parse_TagKeyWithoutValue_MatchesAnyValue()
    {
        var scope = Scope.Parse("*/*/team");

        Assert.Equal("team", scope.TagKey);
        Assert.Null(scope.TagValue);
        Assert.Equal("*/*/team=*", scope.ToString());
    }

    [Fact]
    public void Parse_SpacesAroundParts_AreTrimmed()
    {
        var scope = Scope.Parse("  123456789012 / eu-west-1 / env = prod ");

        Assert.Equal(new Scope("123456789012", "eu-west-1", "env", "prod"), scope);
    }

    [Theory]
    [InlineData("", "is not a scope; write account/region or account/region/key=value")]
    [InlineData("   ", "is not a scope")]
    [InlineData("123456789012", "'123456789012' is not a scope")]
    [InlineData("*/*/env=prod/extra", "is not a scope")]
    [InlineData("/eu-west-1", "is not a scope")]
    [InlineData("123456789012/", "is not a scope")]
    [InlineData("1234-5678-9012!/eu-west-1", "'1234-5678-9012!' is not an account id.")]
    [InlineData("acct 1/eu-west-1", "'acct 1' is not an account id.")]
    [InlineData("*/eu_west_1", "'eu_west_1' is not a region.")]
    [InlineData("123456789012/eu-west-1/=prod", "'=prod' is not a tag; write key=value.")]
    [InlineData("*/*/ ", "is not a tag")]
    public void Parse_InvalidText_ThrowsWithMessageNamingTheProblem(string text, string expected)
    {
        var ex = Assert.Throws<DomainException>(() => Scope.Parse(text));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Null_ReturnsFalseWithError()
    {
        var ok = Scope.TryParse(null, out _, out var error);

        Assert.False(ok);
        Assert.Contains("is not a scope", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_ValidText_ReturnsTrueWithoutError()
    {
        var ok = Scope.TryParse("*/eu-west-1", out var scope, out var error);

        Assert.True(ok);
        Assert.Empty(error);
        Assert.Equal("eu-west-1", scope.Region);
    }

    [Theory]
    [InlineData(Make.ProdAccount, "eu-west-1", true)]
    [InlineData("123456789013", "eu-west-1", false)]
    [InlineData(Make.ProdAccount, "eu-west-2", false)]
    [InlineData(Make.ProdAccount, "EU-WEST-1", false)]
    public void Covers_AccountAndRegion_MustMatchExactly(string account, string region, bool expected)
    {
        var scope = Scope.Parse("123456789012/eu-west-1");

        Assert.Equal(expected, scope.Covers(account, region, NoTags));
    }

    [Theory]
    [InlineData(Make.ProdAccount)]
    [InlineData(Make.DevAccount)]
    public void Covers_AnyAccountOneRegion_CoversThatRegionInEveryAccount(string account)
    {
        var scope = Scope.Parse("*/us-east-1");

        Assert.True(scope.Covers(account, "us-east-1", NoTags));
        Assert.False(scope.Covers(account, "eu-west-1", NoTags));
    }

    [Fact]
    public void Covers_OneAccountAnyRegion_CoversOnlyThatAccount()
    {
        var scope = Scope.Parse("123456789012/*");

        Assert.True(scope.Covers(Make.ProdAccount, "ap-southeast-2", NoTags));
        Assert.False(scope.Covers(Make.DevAccount, "ap-southeast-2", NoTags));
    }

    [Theory]
    [InlineData(new[] { "env=prod" }, true)]
    [InlineData(new[] { "env=PROD" }, true)]
    [InlineData(new[] { "env=staging" }, false)]
    [InlineData(new[] { "team=prod" }, false)]
    [InlineData(new string[0], false)]
    public void Covers_TagKeyAndValue_NeedsThatTagWithThatValue(string[] tags, bool expected)
    {
        var scope = Scope.Parse("*/*/env=prod");

        Assert.Equal(expected, scope.Covers(Make.ProdAccount, "eu-west-1", Make.Tags(tags)));
    }

    [Theory]
    [InlineData("*/*/team")]
    [InlineData("*/*/team=*")]
    public void Covers_TagKeyOnly_AcceptsAnyValueButNeedsTheKey(string text)
    {
        var scope = Scope.Parse(text);

        Assert.True(scope.Covers(Make.ProdAccount, "eu-west-1", Make.Tags("team=web")));
        Assert.True(scope.Covers(Make.ProdAccount, "eu-west-1", Make.Tags("team=db")));
        Assert.False(scope.Covers(Make.ProdAccount, "eu-west-1", Make.Tags("env=web")));
    }

    [Fact]
    public void Covers_TagScopeInOtherRegion_IsFalseEvenWithTheTag()
    {
        var scope = Scope.Parse("*/us-east-1/env=prod");

        Assert.False(scope.Covers(Make.ProdAccount, "eu-west-1", Make.Tags("env=prod")));
    }
}
