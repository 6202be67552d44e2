using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace PortalOps.Jobs.Secrets;

/// <summary>Reads Data Protection key XML written by <see cref="KeyFileXmlEncryptor"/>; Data Protection creates it by type name.</summary>
public sealed class KeyFileXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var protector = services.GetRequiredService<SecretProtector>();
        var data = Convert.FromBase64String(encryptedElement.Value.Trim());
        return XElement.Parse(Encoding.UTF8.GetString(protector.Unprotect(data, KeyFileXmlEncryptor.Purpose)));
    }
}
