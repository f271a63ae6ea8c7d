using Hangfire;
using Hangfire.Common;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Options;
using Npgsql;
using NongThonMoi.Infrastructure.Security;

namespace NongThonMoi.Infrastructure.Jobs;

public static class JobsExtensions
{
    public const string HangfireSchema = "hangfire";

    /// <summary>
    /// Hangfire on the same PostgreSQL, in its own schema. Settings chosen for long jobs and several workers:
    /// a sliding invisibility timeout (a long bulletin run is not fetched twice), long polling so a job enqueued
    /// after a submission starts within a second, and a bounded number of workers per process.
    /// </summary>
    public static WebApplicationBuilder AddJobs(this WebApplicationBuilder builder, bool runServer)
    {
        builder.Services.AddOptions<ScheduleOptions>().BindConfiguration(ScheduleOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ScheduleOptions>, ScheduleOptionsValidator>();
        builder.Services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseConnectionFactory(new DataSourceConnectionFactory(sp.GetRequiredService<NpgsqlDataSource>())),
                new PostgreSqlStorageOptions
                {
                    SchemaName = HangfireSchema,
                    PrepareSchemaIfNecessary = true,
                    UseSlidingInvisibilityTimeout = true,
                    InvisibilityTimeout = TimeSpan.FromMinutes(5),
                    DistributedLockTimeout = TimeSpan.FromMinutes(1),
                    QueuePollInterval = TimeSpan.FromSeconds(5),
                    EnableLongPolling = true,
                }));
        if (runServer)
        {
            builder.Services.AddSingleton<JobLogFilter>();
            builder.Services.AddHangfireServer((sp, o) =>
            {
                o.FilterProvider = new WithJobLog(JobFilterProviders.Providers, sp.GetRequiredService<JobLogFilter>());
                o.WorkerCount = Math.Clamp(Environment.ProcessorCount * 2, 2, 8);
                o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
                // SIGTERM: running jobs see their token cancelled and get this long to hand work back.
                o.ShutdownTimeout = TimeSpan.FromSeconds(20);
                o.StopTimeout = TimeSpan.FromSeconds(10);
            });
        }
        return builder;
    }

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
