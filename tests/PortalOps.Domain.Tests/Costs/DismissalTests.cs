using Microsoft.Extensions.Time.Testing;
using PortalOps.Domain.Costs;

namespace PortalOps.Domain.Tests.Costs;

public sealed class DismissalTests
{
    private readonly FakeTimeProvider _clock = new(Make.Now);

    [Fact]
    public void Dismissal_HoldsUntilItsExpiry_ThenLapses()
    {
        var d = Dismissal.Create("Rightsize:a/r/i-1", "needed for the quarter close", _clock.GetUtcNow().AddDays(7), Guid.NewGuid(), "ann", _clock.GetUtcNow());

        Assert.True(d.IsActive(_clock.GetUtcNow()));
        _clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        Assert.True(d.IsActive(_clock.GetUtcNow()));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(d.IsActive(_clock.GetUtcNow()));
    }

    [Theory]
    [InlineData(null, 7, "Say why")]
    [InlineData("  ", 7, "Say why")]
    [InlineData("because", 0, "future")]
    [InlineData("because", -1, "future")]
    [InlineData("because", 400, "a year at most")]
    public void Create_BadInput_IsRefusedWithTheReason(string? reason, int days, string expected)
    {
        var e = Assert.Throws<CostRuleException>(() => Dismissal.Create("k", reason, Make.Now.AddDays(days), Guid.NewGuid(), "ann", Make.Now));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
