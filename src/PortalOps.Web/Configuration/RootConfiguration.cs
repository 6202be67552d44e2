using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace PortalOps.Web.Configuration;

/// <summary>Loads the single <c>appsettings.json</c> at the repository root (or beside the published binaries) under every other source.</summary>
public static class RootConfiguration
{
    public const string FileName = "appsettings.json";

    public static WebApplicationBuilder AddPortalConfiguration(this WebApplicationBuilder builder, string[] args)
    {
        var path = Locate(builder.Environment.ContentRootPath) ?? Locate(AppContext.BaseDirectory);
        if (path is not null)
        {
            var source = new JsonConfigurationSource
            {
                Path = Path.GetFileName(path),
                Optional = false,
                ReloadOnChange = false,
                FileProvider = new PhysicalFileProvider(Path.GetDirectoryName(path)!),
            };

            // First, so that environment-specific files, user secrets, environment variables and the command line override it.
            builder.Configuration.Sources.Insert(0, source);
        }

        // `--role web|worker|all` is short for `--Jobs:Role ...`.
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string> { ["--role"] = "Jobs:Role" });

        // Serve the component libraries' files (MudBlazor) from a build output too, not only from a publish.
        builder.WebHost.UseStaticWebAssets();
        return builder;
    }

    /// <summary>The nearest appsettings.json at or above <paramref name="start"/> that sits beside PortalOps.sln, or in <paramref name="start"/> itself.</summary>
    internal static string? Locate(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, FileName);
            if (File.Exists(candidate) && (File.Exists(Path.Combine(dir.FullName, "PortalOps.sln")) || dir.FullName == Path.GetFullPath(start).TrimEnd(Path.DirectorySeparatorChar)))
            {
                return candidate;
            }
        }

        return null;
    }
}
