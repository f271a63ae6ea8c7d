using System.ComponentModel;
using Microsoft.Extensions.Options;
using NongThonMoi.Infrastructure.Database;
using NongThonMoi.Infrastructure.Jobs;
using NongThonMoi.Infrastructure.Mail;
using NongThonMoi.Infrastructure.Security;
using NongThonMoi.Infrastructure.Telemetry;
using NongThonMoi.Infrastructure.Web;
using NongThonMoi.Programme;
using Npgsql;

namespace NongThonMoi.Composition;

/// <summary>
/// What the options validators cannot see, checked before anything starts: a key the program does not know
/// (a typo such as <c>Smtp__Hots</c> would otherwise be ignored and the default used in silence), a value that is
/// not of the key's type (the binder would throw a stack trace instead of one line), and a connection string
/// that does not parse. Each failure is one line naming the key; values that may be secret are never repeated.
/// </summary>
public static class SettingsCheck
{
    /// <summary>Every options section and the class it binds to; <c>appsettings.sample.json</c> lists exactly these keys.</summary>
    public static readonly IReadOnlyList<(string Section, Type Options)> Sections =
    [
        (DatabaseOptions.Section, typeof(DatabaseOptions)), (ReferenceOptions.Section, typeof(ReferenceOptions)),
        (WebOptions.Section, typeof(WebOptions)), (AdminOptions.Section, typeof(AdminOptions)),
        (SmtpOptions.Section, typeof(SmtpOptions)), (ScheduleOptions.Section, typeof(ScheduleOptions)),
        (ReportingOptions.Section, typeof(ReportingOptions)), (JobsOptions.Section, typeof(JobsOptions)),
        (TelemetryOptions.Section, typeof(TelemetryOptions)),
    ];

    private static readonly HashSet<string> SecretKeys = ["Password", "PasswordHash"];

    /// <summary>Throws <see cref="OptionsValidationException"/> with the first problem found.</summary>
    public static void Run(IConfiguration configuration)
    {
        if (Problem(configuration) is { } problem)
            throw new OptionsValidationException(problem.Key, typeof(SettingsCheck), [problem.Message]);
    }

    private static (string Key, string Message)? Problem(IConfiguration configuration)
    {
        foreach (var (section, type) in Sections)
        {
            var properties = type.GetProperties().Where(p => p.CanWrite).ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
            foreach (var child in configuration.GetSection(section).GetChildren())
            {
                var key = $"{section}:{child.Key}";
                // The sample file's "//" entries are comments, kept when it is copied as appsettings.json.
                if (child.Key.StartsWith("//", StringComparison.Ordinal)) continue;
                if (!properties.TryGetValue(child.Key, out var property))
                    return (key, $"{key}: unknown setting; the keys of {section} are {string.Join(", ", properties.Keys.Order())} (see appsettings.sample.json)");
                if (child.Value is null || child.Value.Length == 0 || property.PropertyType == typeof(string)) continue;
                var target = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                try
                {
                    TypeDescriptor.GetConverter(target).ConvertFromInvariantString(child.Value);
                }
                catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException
                                              || e.InnerException is FormatException or OverflowException)
                {
                    var shown = SecretKeys.Contains(property.Name) ? "the value" : $"\"{child.Value}\"";
                    return (key, $"{key}: {shown} is not {Describe(target)}");
                }
            }
        }
        if (configuration.GetConnectionString(DatabaseServiceCollectionExtensions.ConnectionStringName) is { Length: > 0 } connectionString)
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (ArgumentException e)
            {
                // Npgsql names the offending keyword, never the password; the string itself is not repeated.
                return ("ConnectionStrings:NongThonMoi", $"ConnectionStrings:NongThonMoi: not a PostgreSQL connection string ({e.Message.TrimEnd('.')}); e.g. Host=db;Database=nongthonmoi;Username=ntm;Password=…");
            }
        }
        return null;
    }

    private static string Describe(Type type) =>
        type == typeof(int) || type == typeof(long) ? "a whole number"
        : type == typeof(bool) ? "true or false"
        : type == typeof(TimeSpan) ? "a duration such as 00:02:00"
        : $"a {type.Name}";
}
