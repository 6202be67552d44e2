using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PortalOps.Jobs.Configuration;

/// <summary>Options bound to a configuration section and checked at start, with messages that name the exact key to fix.</summary>
public static class SectionOptions
{
    public static OptionsBuilder<T> AddSectionOptions<T>(this IServiceCollection services, string section)
        where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new AnnotatedSectionValidator<T>(section));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>Runs the class's data annotations; each failure reads "Section:Key: message".</summary>
    private sealed class AnnotatedSectionValidator<T>(string section) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var results = new List<ValidationResult>();
            if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            {
                return ValidateOptionsResult.Success;
            }

            return ValidateOptionsResult.Fail(results.Select(r =>
                $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage?.Replace("The field ", string.Empty, StringComparison.Ordinal)}"));
        }
    }
}
