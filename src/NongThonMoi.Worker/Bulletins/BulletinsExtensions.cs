using Hangfire;
using NongThonMoi.Infrastructure.Mail;

namespace NongThonMoi.Bulletins;

/// <summary>Bulletins (bản tin tiến độ): the weekly e-mail to the steering committees, built from Indicators' snapshot.</summary>
public static class BulletinsExtensions
{
    public static WebApplicationBuilder AddBulletins(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<BulletinRuns>();
        builder.Services.AddScoped<BulletinJob>();
        builder.Services.AddScoped<BulletinPreview>();
        builder.Services.AddSingleton<Corrections>();
        // How the sweep continues a bulletin run whose worker died: by the run's id, never a new copy.
        builder.Services.AddSingleton(new MailRunJob(BulletinJob.Kind, (jobs, id) => jobs.Enqueue<BulletinJob>(j => j.RunAsync(id, CancellationToken.None))));
        return builder;
    }

    public static WebApplication MapBulletins(this WebApplication app)
    {
        app.MapBulletinEndpoints();
        return app;
    }
}
