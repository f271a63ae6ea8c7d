using Dapper;
using Npgsql;

namespace NongThonMoi.Tests.Support;

/// <summary>What the process tests read from a worker's database: the delivery ledger and Hangfire's job states.</summary>
public static class LedgerQueries
{
    public sealed record Row(string Email, string Status, int Attempts, string MessageId);

    public static async Task<List<Row>> LedgerAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        return (await connection.QueryAsync<Row>("select email, status, attempts, message_id as MessageId from deliveries order by id")).ToList();
    }

    public static async Task<Dictionary<string, long>> StatusesAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        return (await connection.QueryAsync<(string Status, long Count)>("select status, count(*) from deliveries group by status"))
            .ToDictionary(r => r.Status, r => r.Count);
    }

    public static string Format(Dictionary<string, long> statuses) => string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Value} {p.Key}"));

    public static async Task<string?> JobStateAsync(string database, long job) =>
        await ScalarAsync<string?>(database, "select statename from hangfire.job where id = @job", new { job });

    public static async Task<T> ScalarAsync<T>(string database, string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(database);
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }
}
