using System.Reflection;
using Dapper;
using Hangfire.PostgreSql;
using NongThonMoi.Infrastructure.Jobs;
using Npgsql;

namespace NongThonMoi.Infrastructure.Database;

/// <summary>
/// Applies the numbered scripts of <c>Database/Migrations</c> in order, each in its own transaction, then Hangfire's
/// own schema, all under one advisory lock so that several workers starting at once on an empty database apply each
/// script exactly once and none of them meets the other's half-made tables.
/// </summary>
public sealed class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
{
    // Arbitrary but fixed: the key of the advisory lock that serialises migrations across processes.
    private const long LockKey = 0x4e544d_4d4947; // "NTM" "MIG"

    public static IReadOnlyList<(string Id, string Sql)> Scripts { get; } = LoadScripts();

    public async Task<int> ApplyAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync("select pg_advisory_lock(@LockKey)", new { LockKey });
        try
        {
            await connection.ExecuteAsync("""
                create table if not exists schema_migrations (
                    id          text primary key,
                    applied_at  timestamptz not null default now())
                """);
            var applied = (await connection.QueryAsync<string>("select id from schema_migrations")).ToHashSet();
            await MigrationChecksums.VerifyAsync(connection, Scripts, applied);
            var count = 0;
            foreach (var (id, sql) in Scripts.Where(s => !applied.Contains(s.Id)))
            {
                await using var tx = await connection.BeginTransactionAsync(ct);
                await connection.ExecuteAsync(new CommandDefinition(sql, transaction: tx, cancellationToken: ct));
                await connection.ExecuteAsync("insert into schema_migrations (id, checksum) values (@id, @checksum)",
                    new { id, checksum = MigrationChecksums.Of(sql) }, tx);
                await tx.CommitAsync(ct);
                logger.LogInformation("Applied migration {Migration}", id);
                count++;
            }
            // Hangfire.PostgreSql's installer (its PrepareSchemaIfNecessary is off, see AddJobs) skips the versions already
            // there, so a started database costs one query per version. Its scripts set search_path for the session and
            // most reset it; reset here too, so that nothing after them on this pooled connection looks in the wrong schema.
            PostgreSqlObjectsInstaller.Install(connection, JobsExtensions.HangfireSchema);
            await connection.ExecuteAsync("reset search_path");
            return count;
        }
        finally
        {
            await connection.ExecuteAsync("select pg_advisory_unlock(@LockKey)", new { LockKey });
        }
    }

    /// <summary>True when every embedded script is recorded as applied (the readiness check).</summary>
    public async Task<bool> IsUpToDateAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var exists = await connection.ExecuteScalarAsync<bool>("select to_regclass('schema_migrations') is not null");
        if (!exists) return false;
        var applied = (await connection.QueryAsync<string>("select id from schema_migrations")).ToHashSet();
        return Scripts.All(s => applied.Contains(s.Id));
    }

    private static List<(string, string)> LoadScripts()
    {
        var assembly = Assembly.GetExecutingAssembly();
        const string prefix = "NongThonMoi.Database.Migrations.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return (n[prefix.Length..^4], reader.ReadToEnd());
            })
            .ToList();
    }
}
