using System.Text.Json;
using PortalOps.Domain.Audit;

namespace PortalOps.Jobs.Audit;

/// <summary>
/// The checkpoint a verification exports beside the key: the verified end of the chain (sequence and hash), signed with the key.
/// It lives outside the database, so removing records from the log's end — and the anchor row with them — is still noticed.
/// </summary>
public sealed class AuditCheckpointFile(string path)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public AuditAnchor? Read()
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<AuditAnchor>(File.ReadAllText(Path), Json);
        }
        catch (JsonException)
        {
            // An unreadable checkpoint is as good as a forged one: verification reports it (no valid signature).
            return new AuditAnchor(0, string.Empty, string.Empty, string.Empty);
        }
    }

    public void Write(AuditAnchor checkpoint)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temporary = Path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, checkpoint, Json);
        }

        File.Move(temporary, Path, overwrite: true);
    }
}
