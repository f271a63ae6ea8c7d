namespace NongThonMoi.Bulletins;

/// <summary>Bulletins (bản tin tiến độ): the weekly e-mail to the steering committees, built from Indicators' snapshot.</summary>
public static class BulletinsExtensions
{
    public static WebApplicationBuilder AddBulletins(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<BulletinJob>();
        builder.Services.AddScoped<BulletinPreview>();
        builder.Services.AddSingleton<Corrections>();
        return builder;
    }

    public static WebApplication MapBulletins(this WebApplication app)
    {
        app.MapBulletinEndpoints();
        return app;
    }
}
