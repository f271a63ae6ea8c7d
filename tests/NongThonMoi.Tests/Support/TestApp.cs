using System.Net.Http.Headers;
using System.Text;
using Hangfire;
using Hangfire.Common;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace NongThonMoi.Tests.Support;

/// <summary>
/// The real application (Program.BuildApp) on a test server, with its own database on the shared
/// PostgreSQL, the in-process SMTP server as relay, and optionally a fake clock and a reference folder.
/// The recurring schedule is not registered unless <c>schedule</c> is asked for: its crons run on the real clock, and a
/// reminder or bulletin fired mid-test would add mail that the test does not expect.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    public const string AdminUser = "admin";
    public const string AdminPassword = "test-admin-password";

    private TestApp(WebApplication app, string connectionString, Uri? listening)
    {
        App = app;
        ConnectionString = connectionString;
        Listening = listening;
    }

    /// <summary>Where the app listens on a real port (for a browser), or null on the in-memory test server.</summary>
    public Uri? Listening { get; }

    public WebApplication App { get; }

    public string ConnectionString { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<TestApp> StartAsync(
        PostgresFixture postgres, SmtpFixture? smtp = null, string? referenceDirectory = null, FakeTimeProvider? clock = null,
        bool serves = true, IDictionary<string, string?>? settings = null, bool listen = false, string? sharedDatabase = null,
        bool schedule = false, ILoggerProvider? logs = null)
    {
        // A second worker of the same installation passes the first one's connection string.
        var connectionString = sharedDatabase ?? await postgres.CreateDatabaseAsync();
        var config = new Dictionary<string, string?>
        {
            ["ConnectionStrings:NongThonMoi"] = connectionString,
            ["Admin:User"] = AdminUser,
            ["Admin:Password"] = AdminPassword,
            ["Reference:Directory"] = referenceDirectory ?? Path.Combine(AppContext.BaseDirectory, "config"),
            ["Smtp:Host"] = smtp is null ? "" : "127.0.0.1",
            ["Smtp:Port"] = smtp?.Port.ToString() ?? "25",
            ["Smtp:Security"] = "None",
            ["Smtp:PickupDirectory"] = Path.Combine(Path.GetTempPath(), $"ntm-outbox-{Guid.NewGuid():N}"),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        Uri? listening = listen ? new Uri($"http://127.0.0.1:{SmtpFixture.FreePort()}") : null;
        if (listening is not null) config["Web:Urls"] = listening.GetLeftPart(UriPartial.Authority);
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) config[k] = v;

        var app = Program.BuildApp([], serves, builder =>
        {
            builder.Configuration.AddInMemoryCollection(config);
            if (listening is null) builder.WebHost.UseTestServer();
            if (clock is not null) builder.Services.AddSingleton<TimeProvider>(clock);
            // From the first line on: what the worker logs while it starts (the data source, migrations) counts too.
            if (logs is not null) builder.Logging.AddProvider(logs);
            // Hangfire adds its manager only if none is there (TryAdd), and configure runs first: this one wins.
            if (!schedule) builder.Services.AddSingleton<IRecurringJobManager, NoSchedule>();
        });
        await app.StartAsync();
        return new TestApp(app, connectionString, listening);
    }

    public HttpClient Anonymous() => Listening is null ? App.GetTestClient() : new HttpClient { BaseAddress = Listening };

    public HttpClient Admin()
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AdminUser}:{AdminPassword}")));
        return client;
    }

    public HttpClient District(string token)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>Runs a scoped service (a job) the way Hangfire would.</summary>
    public async Task<TResult> InScopeAsync<T, TResult>(Func<T, Task<TResult>> action) where T : notnull
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<T>());
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        // Connections a test opened on its own (new NpgsqlConnection(ConnectionString)) stay idle in Npgsql's pool for this
        // database for minutes after the app is gone, each holding one of the test server's connection slots, which the
        // suite's later tests need (DeadlineRushTests ran out of them: "too many clients").
        using var own = new Npgsql.NpgsqlConnection(ConnectionString);
        Npgsql.NpgsqlConnection.ClearPool(own);
    }

    /// <summary>Registers nothing: the app's start-up asks for its schedule and gets none.</summary>
    private sealed class NoSchedule : IRecurringJobManager
    {
        public void AddOrUpdate(string recurringJobId, Job job, string cronExpression, RecurringJobOptions options) { }

        public void Trigger(string recurringJobId) { }

        public void RemoveIfExists(string recurringJobId) { }
    }
}
