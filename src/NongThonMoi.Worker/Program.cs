using NongThonMoi.Bulletins;
using NongThonMoi.Composition;
using NongThonMoi.Composition.Cli;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure;
using NongThonMoi.Infrastructure.Jobs;
using NongThonMoi.Operations;
using NongThonMoi.Portal;
using NongThonMoi.Programme;
using NongThonMoi.Reminders;
using NongThonMoi.Submissions;

NativeHeap.KeepFreedMemoryReturned(); // first: before the worker's threads and native work start
return await Commands.RunAsync(args, Program.BuildApp);

/// <summary>The table of contents: plumbing, the shared domain, the capabilities, then what runs at start (docs/architecture.md).</summary>
public partial class Program
{
    /// <summary>The whole application; <paramref name="serves"/> adds the start-up tasks and the job server.</summary>
    public static WebApplication BuildApp(string[] args, bool serves, Action<WebApplicationBuilder>? configure)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        // Under systemd (Type=notify): READY=1 once every hosted service has started, the start-up tasks included.
        builder.Host.UseSystemd();
        configure?.Invoke(builder);
        SettingsCheck.Run(builder.Configuration); // unknown keys and mistyped values, before anything starts
        builder.AddInfrastructure(requireAdminPassword: serves).AddProgramme()
               .AddSubmissions().AddIndicators().AddBulletins().AddReminders().AddOperations().AddPortal()
               .AddStartupTasks(serves)
               .AddJobs(runServer: serves); // last: its workers start after the start-up tasks

        var app = builder.Build();
        app.UseInfrastructure();
        app.MapSubmissions().MapIndicators().MapBulletins().MapOperations().MapPortal();
        return app;
    }
}
