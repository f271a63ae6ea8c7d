using System.Globalization;
using System.Text;
using NongThonMoi.Infrastructure.Database;
using Npgsql;

namespace NongThonMoi.Bench;

/// <summary>
/// PostgreSQL's own account of a scenario (<c>--pg-statements</c>): which statements its time went to, from
/// <c>pg_stat_statements</c> reset before the scenario and read after it. This is how the worker's share of the database's
/// CPU per submission is taken apart (BENCHMARKS.md, "ingest").
/// </summary>
public static class PgStatements
{
    /// <summary>
    /// The cluster restarted with the libraries preloaded (they can only be loaded at server start): pg_stat_statements, and
    /// auto_explain writing the plan of every statement slower than 150 ms into the server's log (<see cref="KeepLog"/>).
    /// </summary>
    public static async Task<EmbeddedPostgres> RestartWithAsync(EmbeddedPostgres postgres, string dataDirectory)
    {
        // Appended to the cluster's own postgresql.conf: ALTER SYSTEM refuses the module's settings until it is loaded.
        await File.AppendAllTextAsync(Path.Combine(dataDirectory, "postgresql.conf"), """

            shared_preload_libraries = 'pg_stat_statements,auto_explain'
            pg_stat_statements.track = 'all'
            pg_stat_statements.track_planning = on
            auto_explain.log_min_duration = '150ms'
            auto_explain.log_analyze = on
            auto_explain.log_buffers = on
            auto_explain.log_timing = on

            """);
        await postgres.StopAsync();
        return await EmbeddedPostgres.StartAsync(dataDirectory);
    }

    public static async Task CreateExtensionAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("create extension if not exists pg_stat_statements", connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task ResetAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select pg_stat_statements_reset()", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The statements that took most of the server's time since the reset (execution and planning), each with its calls,
    /// milliseconds in all and per call, rows, and the share of shared blocks read from outside the buffer cache.
    /// </summary>
    public static async Task<string> TopAsync(string connectionString, int count, int? per = null, string perWhat = "")
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            select calls, total_exec_time, total_plan_time, rows, shared_blks_hit, shared_blks_read, wal_bytes,
                   regexp_replace(query, '\s+', ' ', 'g'),
                   sum(total_exec_time + total_plan_time) over () as all_ms
            from pg_stat_statements
            where query not like '%pg_stat_statements%'
            order by total_exec_time + total_plan_time desc
            limit @count
            """, connection);
        command.Parameters.AddWithValue("count", count);
        var text = new StringBuilder();
        await using var reader = await command.ExecuteReaderAsync();
        var first = true;
        while (await reader.ReadAsync())
        {
            var calls = reader.GetInt64(0);
            var exec = reader.GetDouble(1);
            var plan = reader.GetDouble(2);
            if (first)
            {
                var all = reader.GetDouble(8);
                text.Append(CultureInfo.InvariantCulture, $"statements' time in all {all:0} ms");
                if (per is > 0) text.Append(CultureInfo.InvariantCulture, $" ({all / per.Value:0.00} ms per {perWhat})");
                text.Append(':');
                first = false;
            }
            var query = reader.GetString(7);
            text.Append(CultureInfo.InvariantCulture,
                $"\n    {exec + plan,8:0} ms = {calls,6} × {(exec + plan) / Math.Max(1, calls),7:0.000} ms (plan {plan / Math.Max(1, calls):0.000}), " +
                $"rows {reader.GetInt64(3)}, blocks hit {reader.GetInt64(4)} read {reader.GetInt64(5)}, WAL {reader.GetDecimal(6) / 1024:0} KB: ");
            text.Append(query.Length > 160 ? query[..160] + "…" : query);
        }
        return text.ToString();
    }

    /// <summary>The server's log (with auto_explain's plans) copied beside the results, before the work folder goes.</summary>
    public static string KeepLog(string dataDirectory, string output)
    {
        var kept = Path.GetFullPath(output + ".server.log");
        File.Copy(Path.Combine(dataDirectory, "server.log"), kept, overwrite: true);
        return kept;
    }
}
