using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;

namespace PortalOps.Jobs.Tests.Aws.Support;

/// <summary>The official AWS service models, as shipped with the machine's Python botocore.</summary>
public static class BotocoreModels
{
    private static readonly Lazy<string> DataDir = new(FindDataDir);
    private static readonly Dictionary<string, JsonObject> Cache = new(StringComparer.Ordinal);

    public static JsonObject Load(string service, string version)
    {
        lock (Cache)
        {
            var key = $"{service}/{version}";
            if (!Cache.TryGetValue(key, out var model))
            {
                var dir = Path.Combine(DataDir.Value, service, version);
                var gz = Path.Combine(dir, "service-2.json.gz");
                var plain = Path.Combine(dir, "service-2.json");
                string text;
                if (File.Exists(gz))
                {
                    using var stream = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress);
                    using var reader = new StreamReader(stream);
                    text = reader.ReadToEnd();
                }
                else
                {
                    text = File.ReadAllText(plain);
                }

                model = JsonNode.Parse(text)!.AsObject();
                Cache[key] = model;
            }

            return model;
        }
    }

    private static string FindDataDir()
    {
        var python = Environment.GetEnvironmentVariable("PORTALOPS_PYTHON") ?? "python3";
        const string hint = "The contract tests read the AWS service models from Python's botocore: pip install botocore (moto installs it).";
        try
        {
            using var p = Process.Start(new ProcessStartInfo(python, ["-c", "import botocore,os;print(os.path.dirname(botocore.__file__)+'/data')"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var output = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            if (p.ExitCode != 0 || !Directory.Exists(output))
            {
                throw new InvalidOperationException($"{hint} ({p.StandardError.ReadToEnd().Trim()})");
            }

            return output;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{python} not found. {hint}", e);
        }
    }
}
