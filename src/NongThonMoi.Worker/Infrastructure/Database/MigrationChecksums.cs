using System.Data;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace NongThonMoi.Infrastructure.Database;

/// <summary>
/// The text of an applied migration must never change: the databases that ran it would differ from the new ones that
/// run the edited text. Each applied script's SHA-256 is kept beside its id; a script applied before checksums were
/// kept gets its checksum recorded at the next start.
/// </summary>
public static class MigrationChecksums
{
    /// <summary>Line endings do not count, so a checkout with CRLF is the same script.</summary>
    public static string Of(string sql) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));

    /// <summary>Stops with <see cref="MigrationChangedException"/> at the first applied script whose text changed.</summary>
    public static async Task VerifyAsync(IDbConnection connection, IReadOnlyList<(string Id, string Sql)> scripts, IReadOnlySet<string> applied)
    {
        await connection.ExecuteAsync("alter table schema_migrations add column if not exists checksum text");
        var recorded = (await connection.QueryAsync<(string Id, string? Checksum)>("select id, checksum from schema_migrations"))
            .ToDictionary(r => r.Id, r => r.Checksum);
        foreach (var (id, sql) in scripts.Where(s => applied.Contains(s.Id)))
        {
            var now = Of(sql);
            if (recorded.GetValueOrDefault(id) is not { } then)
                await connection.ExecuteAsync("update schema_migrations set checksum = @now where id = @id and checksum is null", new { id, now });
            else if (then != now)
                throw new MigrationChangedException(id);
        }
    }
}

public sealed class MigrationChangedException(string id) : Exception(
    $"migration {id}.sql was changed after this database applied it: put its text back as it was " +
    $"(git log -p -- src/NongThonMoi.Worker/Database/Migrations/{id}.sql) and write the change as a new numbered script");
