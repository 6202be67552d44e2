using PortalOps.Domain.Compliance;
using static PortalOps.Domain.Tests.Compliance.Resources;

namespace PortalOps.Domain.Tests.Compliance;

public sealed class ExceptionDraftTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Problems_MissingOrPastExpiryNoTargetNoReasonNoOwner_NamesEachField()
    {
        var none = new ExceptionDraft("volume-unencrypted", null, null, null, " ", null, null).Problems(Now);
        Assert.Equal(
            [ExceptionDraft.ExpiresField, ExceptionDraft.OwnerField, ExceptionDraft.ReasonField, ExceptionDraft.TargetField],
            none.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("An exception needs an expiry date.", none[ExceptionDraft.ExpiresField]);

        var past = new ExceptionDraft("volume-unencrypted", Guid.NewGuid(), null, null, "legacy", "ana", Now.AddMinutes(-1)).Problems(Now);
        Assert.Equal("The expiry date must lie in the future.", Assert.Single(past).Value);
        Assert.Empty(new ExceptionDraft("volume-unencrypted", Guid.NewGuid(), null, null, "legacy", "ana", Now.AddDays(1)).Problems(Now));
    }

    [Fact]
    public void Parameters_RoundTrip_KeepEveryFieldAndTheGrantor()
    {
        var draft = new ExceptionDraft("volume-unencrypted", null, "env", "dev", "test data only", "ana", Now.AddDays(30));

        var (back, grantedBy) = ExceptionDraft.FromParameters(draft.ToParameters("paul"));

        Assert.Equal(draft, back);
        Assert.Equal("paul", grantedBy);
    }

    [Fact]
    public void Covers_ByTag_OnlyThatPolicysFindingsWithTheTag()
    {
        var dev = Finding.Open(new Violation(Unencrypted, Volume("vol-dev", false, tags: new() { ["env"] = "DEV" }), "encrypted is false"), Now);
        var prod = Finding.Open(new Violation(Unencrypted, Volume("vol-prod", false, tags: new() { ["env"] = "prod" }), "encrypted is false"), Now);
        var draft = new ExceptionDraft("volume-unencrypted", null, "env", "dev", "test data", "ana", Now.AddDays(3));

        Assert.True(draft.Covers(dev));
        Assert.False(draft.Covers(prod));
        Assert.False((draft with { PolicyId = "other" }).Covers(dev));
    }
}
