using PortalOps.Web.Security;

namespace PortalOps.Web.Tests.Security;

public sealed class TotpTests
{
    // RFC 6238 appendix B uses the ASCII key "12345678901234567890"; its Base32 form is below. The 6-digit codes are the 8-digit ones' last six.
    private const string RfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    [Theory]
    [InlineData(59, "287082")]
    [InlineData(1111111109, "081804")]
    [InlineData(1111111111, "050471")]
    [InlineData(1234567890, "005924")]
    [InlineData(2000000000, "279037")]
    public void Code_Rfc6238Vector_MatchesTheRfc(long unixSeconds, string expected)
    {
        Assert.Equal(expected, Totp.Code(RfcSecret, DateTimeOffset.FromUnixTimeSeconds(unixSeconds)));
    }

    [Fact]
    public void Verify_CodeFromTheStepBeforeOrAfter_Accepted()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1111111109);

        Assert.True(Totp.Verify(RfcSecret, Totp.Code(RfcSecret, now.AddSeconds(-30)), now));
        Assert.True(Totp.Verify(RfcSecret, Totp.Code(RfcSecret, now.AddSeconds(30)), now));
    }

    [Fact]
    public void Verify_CodeTwoStepsAway_Refused()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1111111109);

        Assert.False(Totp.Verify(RfcSecret, Totp.Code(RfcSecret, now.AddSeconds(-60)), now));
        Assert.False(Totp.Verify(RfcSecret, Totp.Code(RfcSecret, now.AddSeconds(90)), now));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("08180")]
    [InlineData("0818044")]
    [InlineData("08a804")]
    public void Verify_MalformedCode_Refused(string? code)
    {
        Assert.False(Totp.Verify(RfcSecret, code, DateTimeOffset.FromUnixTimeSeconds(1111111109)));
    }

    [Fact]
    public void Verify_CodeWithASpace_Accepted()
    {
        Assert.True(Totp.Verify(RfcSecret, "081 804", DateTimeOffset.FromUnixTimeSeconds(1111111109)));
    }

    [Fact]
    public void NewSecret_Twice_DifferentBase32SecretsOf160Bits()
    {
        var a = Totp.NewSecret();
        var b = Totp.NewSecret();

        Assert.NotEqual(a, b);
        Assert.Equal(32, a.Length);
        Assert.Matches("^[A-Z2-7]{32}$", a);
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        Assert.True(Totp.Verify(a, Totp.Code(a, now), now));
    }

    [Fact]
    public void ProvisioningUri_IssuerAndAccount_AreEscapedAndCarryTheSecret()
    {
        var uri = Totp.ProvisioningUri("PortalOps", "olga smith", RfcSecret);

        Assert.Equal($"otpauth://totp/PortalOps:olga%20smith?secret={RfcSecret}&issuer=PortalOps&digits=6&period=30", uri);
    }
}
