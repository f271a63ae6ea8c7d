using NongThonMoi.Infrastructure.Security;

namespace NongThonMoi.Submissions;

/// <summary>Submissions (báo cáo của đơn vị): reading, checking and archiving what a reporting unit sends, and its access codes.</summary>
public static class SubmissionsExtensions
{
    public static WebApplicationBuilder AddSubmissions(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SubmissionStore>();
        builder.Services.AddScoped<SubmissionService>();
        builder.Services.AddSingleton<SubmissionStatusQuery>();
        builder.Services.AddSingleton<SubmissionPrefill>();
        builder.Services.AddSingleton<TokenService>();
        builder.Services.AddSingleton<TokenCache>();
        builder.Services.AddHostedService<TokenRevocationListener>();
        builder.Services.AddSubmissionApiExamples();
        builder.Services.AddSingleton<ITokenLookup>(sp => sp.GetRequiredService<TokenService>());
        return builder;
    }

    public static WebApplication MapSubmissions(this WebApplication app)
    {
        app.MapSubmissionEndpoints();
        app.MapTemplateEndpoints();
        return app;
    }
}
