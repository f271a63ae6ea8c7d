using System.Collections.Concurrent;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using NongThonMoi.Tests.Support;
using Npgsql;

namespace NongThonMoi.Tests.Reliability;

/// <summary>Npgsql's own log lines reach the host's logging, so a connection problem shows in the worker's log.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class NpgsqlLoggingTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Npgsql_logs_through_the_host()
    {
        var categories = new ConcurrentQueue<string>();
        var database = await postgres.CreateDatabaseAsync();
        await using var app = Program.BuildApp([], serves: false, builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:NongThonMoi"] = database,
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Npgsql"] = "Debug",
            });
            builder.WebHost.UseTestServer();
            builder.Logging.AddProvider(new Categories(categories));
        });
        await using (var connection = await app.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync())
            await new NpgsqlCommand("select 1", connection).ExecuteScalarAsync();
        Assert.Contains(categories, c => c.StartsWith("Npgsql", StringComparison.Ordinal));
    }

    private sealed class Categories(ConcurrentQueue<string> seen) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, seen);
        public void Dispose() { }

        private sealed class Logger(string category, ConcurrentQueue<string> seen) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                seen.Enqueue(category);
        }
    }
}
