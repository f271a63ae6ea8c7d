using NongThonMoi.Bulletins;
using NongThonMoi.Cli;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure;
using NongThonMoi.Infrastructure.Configuration;
using NongThonMoi.Infrastructure.Database;
using NongThonMoi.Infrastructure.Jobs;
using NongThonMoi.Infrastructure.Mail;
using NongThonMoi.Infrastructure.Security;
using NongThonMoi.Infrastructure.Web;
using NongThonMoi.Operations;
using NongThonMoi.Portal;
using NongThonMoi.Reference;
using NongThonMoi.Submissions;

return await Commands.RunAsync(args, Program.BuildApp);

public partial class Program
{
    /// <summary>The whole application; <paramref name="serves"/> adds the job server and the start-up tasks.</summary>
    public static WebApplication BuildApp(string[] args, bool serves, Action<WebApplicationBuilder>? configure)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        SettingsCheck.Run(builder.Configuration); // unknown keys and mistyped values, before anything starts
        builder.AddDatabase().AddWeb().AddSecurity(requireAdminPassword: serves).AddMail().AddReference()
               .AddSubmissions().AddIndicators().AddBulletins().AddOperations().AddPortal().AddJobs(runServer: serves);
        if (serves) builder.Services.AddHostedService<StartupTasks>(); // before the Hangfire server: see AddJobs
        builder.Services.AddSingleton<RecurringJobs>();

        var app = builder.Build();
        app.UseTrustedProxies();
        app.UseDatabaseAwareErrors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealth();
        app.MapSubmissionEndpoints();
        app.MapIndicatorEndpoints();
        app.MapBulletinEndpoints();
        app.MapDashboard();
        app.MapOperations();
        app.MapMetrics();
        app.MapPortal();
        return app;
    }
}
