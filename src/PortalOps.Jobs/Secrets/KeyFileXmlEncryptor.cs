using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace PortalOps.Jobs.Secrets;

/// <summary>Encrypts Data Protection key XML with the key file before it is stored in the database.</summary>
public sealed class KeyFileXmlEncryptor(SecretProtector protector) : IXmlEncryptor
{
    internal const string Purpose = "PortalOps.DataProtectionKey";
    internal const string ElementName = "keyFileEncrypted";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var xml = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var element = new XElement(ElementName, new XAttribute("version", "1"), Convert.ToBase64String(protector.Protect(xml, Purpose)));
        return new EncryptedXmlInfo(element, typeof(KeyFileXmlDecryptor));
    }
}
