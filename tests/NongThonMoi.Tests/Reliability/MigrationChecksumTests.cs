using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NongThonMoi.Composition.Cli;
using NongThonMoi.Infrastructure.Database;
using NongThonMoi.Tests.Support;
using Npgsql;

namespace NongThonMoi.Tests.Reliability;

/// <summary>An applied migration whose text changed stops the start with one line; older databases get their checksums recorded.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class MigrationChecksumTests(PostgresFixture postgres)
{
    [Fact]
    public async Task An_applied_script_whose_text_changed_stops_the_start_with_one_line_naming_it()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        var runner = new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance);
        Assert.Equal(MigrationRunner.Scripts.Count, await runner.ApplyAsync(default));
        Assert.Equal(0, await runner.ApplyAsync(default)); // unchanged scripts pass

        // As if 0002 had been edited after this database ran it.
        await using (var connection = await dataSource.OpenConnectionAsync())
            await connection.ExecuteAsync("update schema_migrations set checksum = 'edited' where id = '0002_submissions'");
        var error = await Assert.ThrowsAsync<MigrationChangedException>(() => runner.ApplyAsync(default));
        var line = Commands.OneLine(error);
        Assert.NotNull(line);
        Assert.Contains("0002_submissions", line);
        Assert.Contains("new numbered script", line);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public async Task A_database_migrated_before_checksums_gets_them_recorded_and_starts()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        var runner = new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance);
        await runner.ApplyAsync(default);
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("update schema_migrations set checksum = null");

        Assert.Equal(0, await runner.ApplyAsync(default));
        var recorded = (await connection.QueryAsync<string?>("select checksum from schema_migrations")).ToList();
        Assert.All(recorded, c => Assert.Equal(64, c?.Length));
        Assert.Equal(MigrationChecksums.Of("a\r\nb"), MigrationChecksums.Of("a\nb"));
    }
}
