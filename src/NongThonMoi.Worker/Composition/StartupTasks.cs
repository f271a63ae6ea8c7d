using NongThonMoi.Infrastructure.Database;
using NongThonMoi.Infrastructure.Web;
using NongThonMoi.Programme;

namespace NongThonMoi.Composition;

/// <summary>
/// What <c>serve</c> does before it takes requests and jobs: apply migrations, load the reference folder,
/// register the recurring jobs. Registered before the Hangfire server so that its workers start after it.
/// </summary>
internal sealed class StartupTasks(IServiceProvider services, TimeProvider clock, ILogger<StartupTasks> logger) : IHostedService
{
    private static readonly TimeSpan DatabaseWait = TimeSpan.FromSeconds(60);

    public async Task StartAsync(CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await services.GetRequiredService<MigrationRunner>().ApplyAsync(ct);
                break;
            }
            catch (Exception e) when (WebExtensions.IsDatabaseAway(e) && clock.GetElapsedTime(started) < DatabaseWait)
            {
                // A database that is still starting (or restarting) is waited for rather than treated as fatal.
                logger.LogWarning("Database not reachable yet (attempt {Attempt}); retrying", attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, attempt * 2)), clock, ct);
            }
        }
        await services.GetRequiredService<ReferenceSync>().RunAsync(ct);
        services.GetRequiredService<RecurringJobs>().Register();
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
