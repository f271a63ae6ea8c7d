using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace NongThonMoi.Tests.Support;

/// <summary>
/// Drives a delivery run's retry backoff on a fake clock: whenever no delivery is in the middle of its hand-over, the
/// clock moves on to the next retry the ledger holds (at least a second), so a test never waits for real backoff.
/// </summary>
public static class RetryClock
{
    public static async Task<T> AdvanceUntilDoneAsync<T>(Task<T> running, FakeTimeProvider clock, string connectionString, string what)
    {
        await Poll.UntilAsync(async () =>
        {
            if (running.IsCompleted) return true;
            await using var db = new NpgsqlConnection(connectionString);
            var now = clock.GetUtcNow();
            var (sending, next) = await db.QuerySingleAsync<(long, DateTimeOffset?)>("""
                select count(*) filter (where status = 'sending'),
                       min(next_attempt_at) filter (where status = 'pending' and next_attempt_at > @now)
                from deliveries
                """, new { now });
            // A row being handed over keeps its lease: the clock stays until it is marked.
            if (sending == 0) clock.Advance(next is { } due && due - now > TimeSpan.FromSeconds(1) ? due - now : TimeSpan.FromSeconds(1));
            return running.IsCompleted;
        }, TimeSpan.FromSeconds(120), what, everyMs: 50);
        return await running;
    }
}
