using System.Net;
using System.Net.Sockets;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NongThonMoi.Infrastructure.Database;
using Npgsql;

namespace NongThonMoi.Bench;

/// <summary>
/// The real worker (Program.BuildApp, job server included) listening on a loopback port, on a private PostgreSQL
/// cluster started by the worker's own EmbeddedPostgres code, with the in-process SMTP server as its relay.
/// </summary>
public sealed class BenchHost : IAsyncDisposable
{
    public const string AdminUser = "admin";
    public const string AdminPassword = "bench-admin-password";

    private BenchHost(EmbeddedPostgres postgres, string connectionString, WebApplication app, Uri baseUrl, BenchSmtp smtp)
    {
        Postgres = postgres;
        ConnectionString = connectionString;
        App = app;
        BaseUrl = baseUrl;
        Smtp = smtp;
    }

    public EmbeddedPostgres Postgres { get; }
    public string ConnectionString { get; }
    public WebApplication App { get; }
    public Uri BaseUrl { get; }
    public BenchSmtp Smtp { get; }

    public static async Task<BenchHost> StartAsync(string workDirectory, string referenceDirectory)
    {
        var postgres = await EmbeddedPostgres.StartAsync(Path.Combine(workDirectory, "pgdata"));
        await using (var connection = new NpgsqlConnection(postgres.ConnectionString()))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("drop database if exists ntm_bench; ", connection);
            await create.ExecuteNonQueryAsync();
            create.CommandText = "create database ntm_bench";
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = postgres.ConnectionString("ntm_bench");
        var smtp = new BenchSmtp();
        var port = FreePort();
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        var config = new Dictionary<string, string?>
        {
            ["ConnectionStrings:NongThonMoi"] = connectionString,
            ["Admin:User"] = AdminUser,
            ["Admin:Password"] = AdminPassword,
            ["Reference:Directory"] = referenceDirectory,
            ["Web:Urls"] = baseUrl.GetLeftPart(UriPartial.Authority),
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Smtp:From"] = "BCĐ NTM (bench) <ntm@bench.example.vn>",
            // The scheduled recompute (every 15 min) would land in a measured scenario at random; each scenario
            // triggers what it measures itself. Everything else is the default configuration.
            ["Schedule:Recompute"] = "0 0 1 1 *",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Hangfire"] = "Error",
        };
        var app = global::Program.BuildApp([], serves: true, builder => builder.Configuration.AddInMemoryCollection(config));
        await app.StartAsync();
        return new BenchHost(postgres, connectionString, app, baseUrl, smtp);
    }

    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public async Task<T> InScopeAsync<TService, T>(Func<TService, Task<T>> action) where TService : notnull
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>Waits until Hangfire has nothing enqueued or running (the recomputes a burst of submissions asked for).</summary>
    public async Task<TimeSpan> DrainJobsAsync(TimeSpan max)
    {
        var monitoring = Get<JobStorage>().GetMonitoringApi();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < max)
        {
            if (monitoring.EnqueuedCount("default") == 0 && monitoring.ProcessingCount() == 0) return watch.Elapsed;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Hangfire still busy after {max.TotalSeconds:0} s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
        await Postgres.StopAsync();
    }
}
