using Hangfire;
using Hangfire.Common;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.Server;
using Microsoft.Extensions.Options;
using NongThonMoi.Infrastructure.Security;
using Npgsql;

namespace NongThonMoi.Infrastructure.Jobs;

public static class JobsExtensions
{
    public const string HangfireSchema = "hangfire";

    /// <summary>
    /// Hangfire on the same PostgreSQL, in its own schema. Settings chosen for long jobs and several workers:
    /// a sliding invisibility timeout (a long bulletin run is not fetched twice), the queue polled twice a second so a job
    /// enqueued after a submission starts within half a second (not long polling: see below), and a bounded number of
    /// workers per process.
    /// </summary>
    public static WebApplicationBuilder AddJobs(this WebApplicationBuilder builder, bool runServer)
    {
        builder.Services.AddOptions<ScheduleOptions>().BindConfiguration(ScheduleOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ScheduleOptions>, ScheduleOptionsValidator>();
        builder.Services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<JobsOptions>, JobsOptionsValidator>();
        builder.Services.AddSingleton<HangfireMetrics>();
        builder.Services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseConnectionFactory(new DataSourceConnectionFactory(sp.GetRequiredService<NpgsqlDataSource>())),
                StorageOptions(sp.GetRequiredService<IOptions<JobsOptions>>().Value.InvisibilityTimeout)));
        if (runServer)
        {
            builder.Services.AddSingleton<IServerFilter, JobLogFilter>();
            builder.Services.AddHangfireServer((sp, o) =>
            {
                var jobs = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
                // Every IServerFilter registered (the job log; the capabilities' own, such as Indicators' RecomputeFinished).
                o.FilterProvider = new WithServerFilters(JobFilterProviders.Providers, sp.GetServices<IServerFilter>().ToList());
                o.WorkerCount = Math.Clamp(Environment.ProcessorCount * 2, 2, 8);
                o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
                // SIGTERM: running jobs go on for StopTimeout, then see their token cancelled and get the rest of
                // ShutdownTimeout to hand work back; Hangfire then puts the interrupted job back in its queue.
                o.StopTimeout = jobs.StopTimeout;
                o.ShutdownTimeout = jobs.ShutdownTimeout;
            });
            // Runs whose worker died are continued after about one delivery lease, not Hangfire's invisibility timeout.
            builder.Services.AddHostedService<Mail.RunSweeper>();
            // The host must wait at least as long as the job server, or it would stop before the hand-back is done.
            builder.Services.AddOptions<HostOptions>().Configure<IOptions<JobsOptions>>((host, jobs) =>
            {
                var needed = jobs.Value.ShutdownTimeout + TimeSpan.FromSeconds(5);
                if (host.ShutdownTimeout < needed) host.ShutdownTimeout = needed;
            });
        }
        return builder;
    }

    /// <summary>Hangfire.PostgreSql's settings (<see cref="AddJobs"/>), apart so that a test can hold them.</summary>
    internal static PostgreSqlStorageOptions StorageOptions(TimeSpan invisibilityTimeout) => new()
    {
        SchemaName = HangfireSchema,
        // Installed by MigrationRunner under the migrations' advisory lock: two workers starting on an empty
        // database would otherwise both run Hangfire's install scripts, and one of them logs errors.
        PrepareSchemaIfNecessary = false,
        UseSlidingInvisibilityTimeout = true,
        InvisibilityTimeout = invisibilityTimeout,
        DistributedLockTimeout = TimeSpan.FromMinutes(1),
        // No long polling (LISTEN/NOTIFY). With it, every fetch starts a listener and cancels it once a job is
        // found; a cancellation that lands while Npgsql's WaitAsync is setting up can leave the listener waiting
        // for ever (npgsql/npgsql#5975), and the job server's thread with it, still holding the job it fetched:
        // the sliding invisibility timeout then never gives that job to another thread. A national bench run
        // stopped that way (3 December; BENCHMARKS.md, finding 28), and each such hang takes one of the few job
        // threads for good. Polling twice a second is a few index look-ups per second per worker; a job enqueued by
        // this process still wakes a thread at once (Hangfire.PostgreSql's in-process signal), one enqueued by
        // another worker starts within half a second.
        QueuePollInterval = TimeSpan.FromMilliseconds(500),
        EnableLongPolling = false,
    };

    /// <summary>The dashboard, always behind the admin login; the storage connection string is never shown.</summary>
    public static void MapDashboard(this WebApplication app)
    {
        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            // Authorisation is the endpoint's (admin policy, every address); Hangfire's own local-only filter is replaced.
            Authorization = [new EndpointAuthorizedFilter()],
            DisplayStorageConnectionString = false,
            DashboardTitle = "NongThonMoi",
            AppPath = null,
        }).RequireAuthorization(SecurityExtensions.AdminPolicy);
    }

    private sealed class EndpointAuthorizedFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(Roles.Admin);
    }

    /// <summary>Hangfire.PostgreSql has no NpgsqlDataSource overload; this hands it the process's one data source.</summary>
    private sealed class DataSourceConnectionFactory(NpgsqlDataSource dataSource) : IConnectionFactory
    {
        public NpgsqlConnection GetOrCreateConnection() => dataSource.CreateConnection();
    }
}
