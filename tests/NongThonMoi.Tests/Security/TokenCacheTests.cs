using System.Net;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Infrastructure.Security;
using NongThonMoi.Submissions;
using NongThonMoi.Tests.Support;
using Npgsql;

namespace NongThonMoi.Tests.Security;

/// <summary>
/// Access codes are kept for a few seconds after a look-up (a deadline rush sends the same code again and again), and a
/// revocation made anywhere — another worker, the <c>token revoke</c> verb, plain SQL — still ends them at once, through the
/// database's NOTIFY (migration 0012). The app's clock is frozen here, so a kept code never expires by age: only the signal
/// can end it.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class TokenCacheTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_code_revoked_by_another_process_is_refused_once_the_database_signals_it()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)));
        await Poll.UntilAsync(() => Task.FromResult(app.Get<TokenCache>().Enabled), HangGuard, "the revocation listener is connected");
        var token = await WalkingSkeletonTests.CreateTokenAsync(app.Admin(), "901");
        var district = app.District(token);
        Assert.Equal(HttpStatusCode.OK, (await district.GetAsync("/api/submissions")).StatusCode);

        // Revoked behind the worker's back with the trigger silenced (triggers do not fire for a replica session): the worker
        // still trusts the code it looked up a moment ago — so the cache is really in the path.
        await using var db = new NpgsqlConnection(app.ConnectionString);
        await db.OpenAsync();
        await using (var silent = new NpgsqlCommand(
            "set session_replication_role = replica; update submission_tokens set revoked_at = now() where unit_code = '901'; set session_replication_role = origin", db))
            await silent.ExecuteNonQueryAsync();
        Assert.Equal(HttpStatusCode.OK, (await district.GetAsync("/api/submissions")).StatusCode);

        // The signal another process's revocation sends (the trigger's NOTIFY): the code ends without any call to this worker.
        await using (var signal = new NpgsqlCommand("update submission_tokens set revoked_at = null where unit_code = '901'; " +
                                                    "update submission_tokens set revoked_at = now() where unit_code = '901'", db))
            await signal.ExecuteNonQueryAsync();
        await Poll.UntilAsync(async () => (await district.GetAsync("/api/submissions")).StatusCode == HttpStatusCode.Unauthorized,
            HangGuard, "the revoked code is refused", everyMs: 20);
    }

    [Fact]
    public void Without_the_signal_nothing_is_kept()
    {
        var cache = new TokenCache(new FakeTimeProvider());
        cache.Add("k", new TokenRecord(1, "901"), cache.Generation);
        Assert.Null(cache.Find("k"));   // not listening: a revocation could not reach it

        cache.SetListening(true);
        var before = cache.Generation;
        cache.Clear();                   // a revocation arrives while a look-up is under way…
        cache.Add("k", new TokenRecord(1, "901"), before);
        Assert.Null(cache.Find("k"));   // …so what that look-up read is not kept

        cache.Add("k", new TokenRecord(1, "901"), cache.Generation);
        Assert.NotNull(cache.Find("k"));
        cache.SetListening(false);
        Assert.Null(cache.Find("k"));
    }
}
