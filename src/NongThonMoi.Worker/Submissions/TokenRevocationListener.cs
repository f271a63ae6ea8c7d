using Npgsql;

namespace NongThonMoi.Submissions;

/// <summary>
/// Listens to the database's signal that an access code was revoked (NOTIFY <c>ntm_token_revoked</c>, sent by a trigger,
/// migration 0012) and empties the <see cref="TokenCache"/>. While it is not connected the cache is off and every request
/// asks the database, so a lost connection can make requests slower, never let a revoked code in.
/// </summary>
public sealed class TokenRevocationListener(NpgsqlDataSource dataSource, TokenCache cache, TimeProvider clock, ILogger<TokenRevocationListener> logger)
    : BackgroundService
{
    public const string Channel = "ntm_token_revoked";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => cache.Clear();
                await using (var listen = new NpgsqlCommand($"listen {Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                cache.SetListening(true);
                retry = TimeSpan.FromSeconds(1);
                await using var ping = new NpgsqlCommand("select 1", connection);
                // A connection that died quietly raises nothing while waiting: ask it something now and then.
                while (true)
                    if (!await connection.WaitAsync(TimeSpan.FromSeconds(30), stoppingToken))
                        await ping.ExecuteScalarAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                logger.LogWarning("Access codes are looked up in the database on every request until the revocation signal is back: {Reason}", e.Message);
            }
            finally
            {
                cache.SetListening(false);
            }
            try
            {
                await Task.Delay(retry, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            retry = TimeSpan.FromSeconds(Math.Min(30, retry.TotalSeconds * 2));
        }
    }
}
