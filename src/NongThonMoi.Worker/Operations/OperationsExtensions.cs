namespace NongThonMoi.Operations;

/// <summary>Operations (vận hành): what the province's IT admin watches — the dashboard page and the metrics.</summary>
public static class OperationsExtensions
{
    public static WebApplicationBuilder AddOperations(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OperationsReportQuery>();
        builder.Services.AddSingleton<DomainMetrics>();
        return builder;
    }

    public static WebApplication MapOperations(this WebApplication app)
    {
        app.MapOperationsPage();
        app.MapMetrics();
        return app;
    }
}
