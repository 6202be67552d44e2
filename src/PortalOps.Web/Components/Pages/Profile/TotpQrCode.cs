using Microsoft.AspNetCore.Components;
using QRCoder;

namespace PortalOps.Web.Components.Pages.Profile;

/// <summary>
/// The enrolment address as a QR code an authenticator app scans: inline SVG drawn on the server (no script, no image request,
/// nothing for a content security policy to allow). The address holds the secret, so it is drawn and shown, never logged.
/// </summary>
public static class TotpQrCode
{
    public static MarkupString Svg(string otpauthUri)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(otpauthUri, QRCodeGenerator.ECCLevel.M);
        using var code = new SvgQRCode(data);
        return new MarkupString(code.GetGraphic(new System.Drawing.Size(200, 200), "#000000", "#ffffff", drawQuietZones: true, sizingMode: SvgQRCode.SizingMode.ViewBoxAttribute));
    }
}
