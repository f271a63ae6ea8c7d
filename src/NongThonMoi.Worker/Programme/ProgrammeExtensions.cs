using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace NongThonMoi.Programme;

/// <summary>The shared domain: reference data (units, criteria sets, committees, targets) and the reporting calendar.</summary>
public static class ProgrammeExtensions
{
    /// <summary>Reference data and the reporting calendar: what every capability reads.</summary>
    public static WebApplicationBuilder AddProgramme(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReferenceOptions>().BindConfiguration(ReferenceOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ReferenceOptions>, ReferenceOptionsValidator>();
        builder.Services.AddOptions<ReportingOptions>().BindConfiguration(ReportingOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ReportingOptions>, ReportingOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System); // tests put a fake clock in first
        builder.Services.AddSingleton<ReferenceStore>();
        builder.Services.AddSingleton<ReferenceSync>();
        builder.Services.AddSingleton<ReportingCalendar>();
        return builder;
    }
}
