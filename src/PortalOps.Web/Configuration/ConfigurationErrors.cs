using Microsoft.Extensions.Options;

namespace PortalOps.Web.Configuration;

/// <summary>
/// Invalid configuration stops the start with one line per wrong key on stderr and exit code 1: no stack trace, and
/// nothing from the host's logger, because the settings are checked before the host starts.
/// </summary>
public static class ConfigurationErrors
{
    public const int ExitCode = 1;

    /// <summary>True when the portal is the process (not a host inside a test runner, which gets the exception itself).</summary>
    public static bool IsOwnProcess => System.Reflection.Assembly.GetEntryAssembly() == typeof(ConfigurationErrors).Assembly;

    /// <summary>Runs every <c>ValidateOnStart</c> check now, before the database is migrated or anything is started.</summary>
    public static void ValidateConfiguration(this IServiceProvider services) =>
        services.GetService<IStartupValidator>()?.Validate();

    /// <summary>Prints the failures of a configuration error and answers true; answers false for any other exception.</summary>
    public static bool TryReport(Exception error, TextWriter output)
    {
        var failures = Failures(error).Distinct(StringComparer.Ordinal).ToList();
        if (failures.Count == 0)
        {
            return false;
        }

        foreach (var failure in failures)
        {
            output.WriteLine("PortalOps cannot start: " + OneLine(failure));
        }

        output.Flush();
        return true;
    }

    private static IEnumerable<string> Failures(Exception error) => error switch
    {
        OptionsValidationException e => e.Failures,
        AggregateException e when e.InnerExceptions.All(IsConfigurationError) => e.InnerExceptions.SelectMany(Failures),
        InvalidOperationException e when IsBindingError(e) => [e.Message],
        _ => [],
    };

    private static bool IsConfigurationError(Exception e) => e is OptionsValidationException || (e is InvalidOperationException i && IsBindingError(i));

    /// <summary>The configuration binder's own error ("Failed to convert configuration value at 'Sandbox:PendingSeconds' ...").</summary>
    private static bool IsBindingError(InvalidOperationException e) =>
        e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal);

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
