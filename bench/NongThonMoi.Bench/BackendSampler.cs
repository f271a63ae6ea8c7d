using Npgsql;

namespace NongThonMoi.Bench;

/// <summary>
/// How many PostgreSQL backends serve the bench's database, and how many of them are running a statement, sampled every
/// 100 ms on a connection of its own (not counted) during a scenario: many connections mostly idle say the database waits
/// for its clients; many active ones say the clients wait for the database.
/// </summary>
public sealed class BackendSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(long All, long Active)> _samples = [];
    private readonly Task _loop;

    private BackendSampler(NpgsqlConnection connection) => _loop = LoopAsync(connection);

    public static async Task<BackendSampler> StartAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return new BackendSampler(connection);
    }

    private async Task LoopAsync(NpgsqlConnection connection)
    {
        await using (connection)
        await using (var command = new NpgsqlCommand("""
            select count(*), count(*) filter (where state = 'active') from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid()
            """, connection))
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    await using (var r = await command.ExecuteReaderAsync(_stop.Token))
                    {
                        await r.ReadAsync(_stop.Token);
                        lock (_samples) _samples.Add((r.GetInt64(0), r.GetInt64(1)));
                    }
                    await Task.Delay(100, _stop.Token);
                }
            }
            catch (OperationCanceledException) { }
        }
    }

    /// <summary>Stops sampling: the backends' maximum and median, all of them and the active ones.</summary>
    public async Task<string> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        List<(long All, long Active)> s;
        lock (_samples) s = [.. _samples];
        if (s.Count == 0) return "PostgreSQL backends: no sample";
        double Median(IEnumerable<long> v) => IngestScenario.Percentile(v.Select(x => (double)x).ToList(), 0.5);
        return $"PostgreSQL backends on the database: max {s.Max(x => x.All)} (median {Median(s.Select(x => x.All)):0}), " +
               $"running a statement max {s.Max(x => x.Active)} (median {Median(s.Select(x => x.Active)):0}) over {s.Count} samples";
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
    }
}
