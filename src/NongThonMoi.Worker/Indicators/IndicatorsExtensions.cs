using NongThonMoi.Programme;

namespace NongThonMoi.Indicators;

/// <summary>Indicators (chỉ tiêu): the province-wide figures of a period, recomputed by a job into a snapshot.</summary>
public static class IndicatorsExtensions
{
    public static WebApplicationBuilder AddIndicators(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(_ => new ArchivedRows());
        builder.Services.AddSingleton<SnapshotRepository>();
        builder.Services.AddScoped<RecomputeJob>();
        builder.Services.AddSingleton<RecomputeTimings>();
        builder.Services.AddSingleton<RecomputeActivity>();
        builder.Services.AddSingleton<Hangfire.Server.IServerFilter, RecomputeFinished>();
        // Submissions announce what they accepted through the shared-domain interface; the figures listen here.
        builder.Services.AddSingleton<HangfireRecomputeTrigger>();
        builder.Services.AddSingleton<ISubmissionAccepted>(sp => sp.GetRequiredService<HangfireRecomputeTrigger>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HangfireRecomputeTrigger>());
        return builder;
    }

    public static WebApplication MapIndicators(this WebApplication app)
    {
        app.MapIndicatorEndpoints();
        return app;
    }
}
