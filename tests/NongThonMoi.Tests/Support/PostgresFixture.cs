using NongThonMoi.Infrastructure.Database;
using Npgsql;

namespace NongThonMoi.Tests.Support;

/// <summary>
/// One real PostgreSQL for the test run: <c>NTM_TEST_DATABASE</c> (a connection string to a server where
/// databases may be created) or a private cluster started from the machine's binaries by the same code
/// as the embedded default. Each test gets a database of its own.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"ntm-tests-{Guid.NewGuid():N}"[..22]);
    private EmbeddedPostgres? _embedded;
    private string _serverConnectionString = "";

    public EmbeddedPostgres? Embedded => _embedded;

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("NTM_TEST_DATABASE");
        if (!string.IsNullOrWhiteSpace(external))
        {
            _serverConnectionString = external;
            return;
        }
        _embedded = await EmbeddedPostgres.StartAsync(Path.Combine(_folder, "pgdata"));
        _serverConnectionString = _embedded.ConnectionString();
    }

    /// <summary>A new, empty database; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"ntm_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(_serverConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"create database {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>
    /// A new, empty database owned by a login role of its own with a password; its connection string (that role's).
    /// The embedded cluster trusts local logins, so the password is not what lets it in, but the worker holds it
    /// in its connection string as a production one would, which is what a test of leaked secrets needs.
    /// </summary>
    public async Task<(string ConnectionString, string Password)> CreateDatabaseWithPasswordAsync()
    {
        var suffix = Guid.NewGuid().ToString("N");
        var (role, password) = ($"ntm_role_{suffix}", $"pw-{Guid.NewGuid():N}");
        var name = $"ntm_{suffix}";
        await using (var connection = new NpgsqlConnection(_serverConnectionString))
        {
            await connection.OpenAsync();
            // Names are generated here, not input; the password is a literal because CREATE ROLE takes no parameters.
            foreach (var sql in new[] { $"create role {role} login password '{password}'", $"create database {name} owner {role}" })
            {
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync();
            }
        }
        var connectionString = new NpgsqlConnectionStringBuilder(_serverConnectionString)
        {
            Database = name,
            Username = role,
            Password = password,
            Pooling = true,
        }.ConnectionString;
        return (connectionString, password);
    }

    public async Task DisposeAsync()
    {
        if (_embedded is not null) await _embedded.StopAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class DatabaseCollection : ICollectionFixture<PostgresFixture>, ICollectionFixture<SmtpFixture>
{
    public const string Name = "database";
}
