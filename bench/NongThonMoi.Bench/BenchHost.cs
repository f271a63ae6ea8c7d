using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NongThonMoi.Infrastructure.Database;
using Npgsql;

namespace NongThonMoi.Bench;

/// <summary>
/// What the scenarios run against: a private PostgreSQL cluster started by the worker's own EmbeddedPostgres code, the
/// in-process SMTP server as the relay, and the real worker (<c>nongthonmoi.dll serve</c>, job server included) as one or
/// more child processes on loopback ports — so that the worker's memory and CPU are its own, not the bench's. Beside them,
/// an in-process application built with <c>Program.BuildApp(serves: false)</c> (no job server, no start-up tasks, nothing
/// listening) on the same configuration: the recompute and render scenarios time the worker's code directly through it,
/// and it gives the bench the worker's services (calendar, tokens, reference) without competing for jobs.
/// </summary>
public sealed class BenchHost : IAsyncDisposable
{
    public const string AdminUser = "admin";
    public const string AdminPassword = "bench-admin-password";

    /// <summary>The worker's <c>Smtp:Connections</c>, set explicitly so that the bare MailKit limit uses as many.</summary>
    public const int SmtpConnections = 3;

    private readonly string _workDirectory;
    private readonly Dictionary<string, string> _settings;
    private readonly List<WorkerProcess> _workers = [];
    private readonly List<PosixSignalRegistration> _signals = [];
    private WebApplication? _app;
    private int _aborted;

    private BenchHost(string workDirectory, EmbeddedPostgres postgres, string dataDirectory, string connectionString, BenchSmtp smtp,
        Dictionary<string, string> settings)
    {
        _workDirectory = workDirectory;
        Postgres = postgres;
        PostgresDataDirectory = dataDirectory;
        ConnectionString = connectionString;
        Smtp = smtp;
        _settings = settings;
    }

    public EmbeddedPostgres Postgres { get; }
    public string PostgresDataDirectory { get; }
    public string ConnectionString { get; }
    public BenchSmtp Smtp { get; }

    /// <summary>The in-process application (serves: false): the worker's services for the bench and for the code-level scenarios.</summary>
    public WebApplication App => _app ?? throw new InvalidOperationException("the host is not started");

    /// <summary>The worker processes now running; the first is the one every single-worker scenario talks to.</summary>
    public IReadOnlyList<WorkerProcess> Workers => _workers;

    public Uri BaseUrl => _workers[0].Url;

    /// <summary>The PostgreSQL postmaster's process id (first line of <c>postmaster.pid</c>); its children are the server's backends.</summary>
    public int PostgresPid =>
        int.Parse(File.ReadLines(Path.Combine(PostgresDataDirectory, "postmaster.pid")).First().Trim(), CultureInfo.InvariantCulture);

    /// <param name="pgStatements">
    /// Starts the cluster with <c>pg_stat_statements</c> loaded (and planning tracked), so that <see cref="PgStatements"/> can
    /// say which statements PostgreSQL's time went to. Off by default: it costs the server a little on every statement.
    /// </param>
    /// <param name="workerPool">The workers' <c>Maximum Pool Size</c>; null leaves the connection string's (50).</param>
    public static async Task<BenchHost> StartAsync(string workDirectory, string referenceDirectory, bool pgStatements = false, int? workerPool = null)
    {
        var dataDirectory = Path.Combine(workDirectory, "pgdata");
        var postgres = await EmbeddedPostgres.StartAsync(dataDirectory);
        if (pgStatements) postgres = await PgStatements.RestartWithAsync(postgres, dataDirectory);
        BenchSmtp? smtp = null;
        try
        {
            await using (var connection = new NpgsqlConnection(postgres.ConnectionString()))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand("drop database if exists ntm_bench; ", connection);
                await create.ExecuteNonQueryAsync();
                create.CommandText = "create database ntm_bench";
                await create.ExecuteNonQueryAsync();
            }
            var connectionString = postgres.ConnectionString("ntm_bench");
            if (pgStatements) await PgStatements.CreateExtensionAsync(connectionString);
            smtp = new BenchSmtp();
            var workerConnectionString = workerPool is { } cap
                ? new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = cap }.ConnectionString
                : connectionString;
            var settings = new Dictionary<string, string>
            {
                ["ConnectionStrings:NongThonMoi"] = workerConnectionString,
                ["Admin:User"] = AdminUser,
                ["Admin:Password"] = AdminPassword,
                ["Reference:Directory"] = referenceDirectory,
                ["Smtp:Host"] = "127.0.0.1",
                ["Smtp:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
                ["Smtp:Security"] = "None",
                ["Smtp:From"] = "BCĐ NTM (bench) <ntm@bench.example.vn>",
                ["Smtp:Connections"] = SmtpConnections.ToString(CultureInfo.InvariantCulture),
                // The scheduled recompute (every 15 min) would land in a measured scenario at random; each scenario
                // triggers what it measures itself. Everything else is the default configuration.
                ["Schedule:Recompute"] = "0 0 1 1 *",
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Hangfire"] = "Error",
                // Every portal page with a form says its caching headers were overridden: as designed, and 50 lines a run.
                ["Logging:LogLevel:Microsoft.AspNetCore.Antiforgery"] = "Error",
                ["Logging:Console:FormatterName"] = "simple",
                ["Logging:Console:FormatterOptions:SingleLine"] = "true",
            };
            var host = new BenchHost(workDirectory, postgres, dataDirectory, connectionString, smtp, settings);
            try
            {
                host.GuardAgainstOrphans();
                // The first worker migrates the empty database and loads the reference (its start-up tasks) before anything
                // else touches it; the in-process application only reads what that left.
                await host.AddWorkerAsync();
                // The bench's in-process app (recompute and render scenarios) keeps the uncapped connection string.
                var config = settings.ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
                config["ConnectionStrings:NongThonMoi"] = connectionString;
                host._app = global::Program.BuildApp([], serves: false, builder => builder.Configuration.AddInMemoryCollection(config));
                return host;
            }
            catch
            {
                await host.DisposeAsync();
                throw;
            }
        }
        catch when (smtp is null)
        {
            await postgres.StopAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts one more worker process on the same database and SMTP server, on its own port, and waits until it is ready.
    /// Its start-up tasks (migrations, reference sync) run again under their advisory locks and find nothing to do.
    /// </summary>
    public async Task<WorkerProcess> AddWorkerAsync()
    {
        var name = $"worker {_workers.Count + 1}";
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var settings = new Dictionary<string, string>(_settings) { ["Web:Urls"] = url.GetLeftPart(UriPartial.Authority) };
        var worker = WorkerProcess.Start(name, url, settings, Path.Combine(_workDirectory, name.Replace(' ', '-')));
        _workers.Add(worker);
        await worker.WaitReadyAsync(TimeSpan.FromMinutes(3));
        return worker;
    }

    /// <summary>Stops a worker gracefully (SIGTERM; its job server hands back what it holds) and forgets it.</summary>
    public async Task StopWorkerAsync(WorkerProcess worker)
    {
        await worker.StopAsync(TimeSpan.FromSeconds(40));
        await worker.DisposeAsync();
        _workers.Remove(worker);
    }

    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public async Task<T> InScopeAsync<TService, T>(Func<TService, Task<T>> action) where TService : notnull
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>
    /// Writes every dirty page out now (<c>CHECKPOINT</c>). The history load and the ingest limit's table copies write
    /// about 1 GB of WAL, past <c>max_wal_size</c>: PostgreSQL then starts a checkpoint of its own, spread over the
    /// minutes after, and it would run under whichever timed loop came next. Each ingest loop starts after one instead.
    /// </summary>
    public async Task CheckpointAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("checkpoint", connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Checkpoints PostgreSQL has started so far, on its own or asked (PostgreSQL 15's <c>pg_stat_bgwriter</c>).</summary>
    public async Task<long> CheckpointsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select checkpoints_timed + checkpoints_req from pg_stat_bgwriter", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Waits until no Hangfire job is enqueued or running in any worker process: read in Hangfire.PostgreSql's tables, where a
    /// job keeps its <c>jobqueue</c> row from its enqueueing until it has finished (fetched or not), so no job is between
    /// states unseen. With <paramref name="quiet"/>, the tables must stay empty that long: a worker's recompute trigger holds
    /// a rush's last follow-up in the process for up to a second (<see cref="TriggerQuiet"/>), where no table shows it.
    /// Returns when they last became empty.
    /// </summary>
    public async Task<TimeSpan> DrainJobsAsync(TimeSpan max, TimeSpan? quiet = null)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var busy = new NpgsqlCommand(
            "select (select count(*) from hangfire.jobqueue) + (select count(*) from hangfire.job where statename in ('Enqueued', 'Processing'))", connection);
        TimeSpan? emptySince = null;
        while (watch.Elapsed < max)
        {
            if ((long)(await busy.ExecuteScalarAsync())! == 0)
            {
                emptySince ??= watch.Elapsed;
                if (watch.Elapsed - emptySince >= (quiet ?? TimeSpan.Zero)) return emptySince.Value;
            }
            else emptySince = null;
            await Task.Delay(50);
        }
        throw new TimeoutException($"Hangfire still busy after {max.TotalSeconds:0} s");
    }

    /// <summary>
    /// How long the tables must stay empty after submissions before a drain ends: the trigger's <c>RushInterval</c> (1 s,
    /// <c>HangfireRecomputeTrigger</c>) and the job's pickup, with room.
    /// </summary>
    public static readonly TimeSpan TriggerQuiet = TimeSpan.FromSeconds(1.5);

    /// <summary>A mark in Hangfire's state history: the jobs started after it are those <see cref="JobsByWorkerAsync"/> counts.</summary>
    public async Task<long> JobMarkAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select coalesce(max(id), 0) from hangfire.state", connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Which worker process ran the jobs started since <paramref name="mark"/> (optionally only job <paramref name="jobId"/>):
    /// the Processing state names the Hangfire server, whose name is <c>machine:pid</c> (JobsExtensions), followed by an id.
    /// </summary>
    public async Task<string> JobsByWorkerAsync(long mark, string? jobId = null)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            select data::jsonb ->> 'ServerId' as server, count(*) from hangfire.state
            where id > @mark and name = 'Processing' and (@job::bigint is null or jobid = @job::bigint) group by 1 order by 1
            """, connection);
        command.Parameters.AddWithValue("mark", mark);
        command.Parameters.AddWithValue("job", NpgsqlTypes.NpgsqlDbType.Text, (object?)jobId ?? DBNull.Value);
        var parts = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var server = reader.IsDBNull(0) ? "?" : reader.GetString(0);
            var worker = _workers.FirstOrDefault(w => server.Contains($":{w.Pid}:", StringComparison.Ordinal))?.Name ?? server;
            parts.Add($"{worker} ×{reader.GetInt64(1)}");
        }
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Ctrl+C or a SIGTERM to the bench skips the disposals: kill the worker processes and PostgreSQL then, so that no
    /// orphan outlives the bench (an exception in a scenario goes through <see cref="DisposeAsync"/> instead).
    /// </summary>
    private void GuardAgainstOrphans()
    {
        // A signal handler rather than Console.CancelKeyPress or AppDomain.ProcessExit: the runtime exits on SIGTERM
        // without the latter having stopped anything (seen here: the worker and PostgreSQL outlived the bench).
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT, PosixSignal.SIGHUP })
            _signals.Add(PosixSignalRegistration.Create(signal, _ => Abort(signal.ToString())));
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    private void OnProcessExit(object? sender, EventArgs e) => Abort("exit");

    /// <summary>Kills what the bench started, at once; the signal's default action (ending the bench) follows.</summary>
    private void Abort(string why)
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 1) return;
        Console.Error.WriteLine($"bench: {why}: killing the worker processes and PostgreSQL");
        foreach (var worker in _workers.ToList()) worker.Kill();
        try { Postgres.KillAsync().Wait(TimeSpan.FromSeconds(15)); }
        catch (Exception ex) when (ex is AggregateException or InvalidOperationException) { }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var signal in _signals) signal.Dispose();
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        // Each step in a finally of the one before: whatever fails, the worker processes and PostgreSQL do not outlive the bench.
        try
        {
            foreach (var worker in _workers.ToList())
            {
                try { await StopWorkerAsync(worker); }
                finally { worker.Kill(); }
            }
        }
        finally
        {
            try
            {
                if (_app is not null) await _app.DisposeAsync();
                await Smtp.DisposeAsync();
            }
            finally { await Postgres.StopAsync(); }
        }
    }
}
