using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Reliability;

/// <summary>
/// PostgreSQL going away under a running worker: callers get 503 + Retry-After (never a 500 with a
/// stack trace), liveness stays up while readiness goes down, and when the database is back the same
/// app serves again by itself. Tests in the database collection run one at a time, so stopping the
/// shared cluster here disturbs no other test — as long as it is restarted in the finally block.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class DatabaseAwayTests(PostgresFixture postgres, SmtpFixture smtp)
{
    [Fact]
    public async Task The_database_away_is_a_503_and_the_app_recovers_when_it_is_back()
    {
        // This test must stop and start PostgreSQL itself; an external NTM_TEST_DATABASE cannot be killed.
        var cluster = postgres.Embedded ?? throw new InvalidOperationException(
            "DatabaseAwayTests needs the embedded test cluster (unset NTM_TEST_DATABASE): it kills and restarts PostgreSQL.");
        using var reference = new TestReference(TestReference.SmallProvince);
        // Wednesday 25/11/2026 10:00 in Hà Nội: week 48 is open and on time.
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)));
        var admin = app.Admin();
        var anonymous = app.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);
        Assert.Contains("\nntm_submissions_total{", await admin.GetStringAsync("/metrics"));

        // A checkpoint first keeps the crash recovery at restart short: the shared cluster carries the WAL of every
        // database the suite has made, and replaying minutes of it on a busy machine is not what this test is about.
        await using (var connection = new Npgsql.NpgsqlConnection(app.ConnectionString))
        {
            await connection.OpenAsync();
            await using var checkpoint = new Npgsql.NpgsqlCommand("checkpoint", connection);
            await checkpoint.ExecuteNonQueryAsync();
        }
        await cluster.KillAsync();
        try
        {
            var away = await admin.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, away.StatusCode);
            Assert.NotNull(away.Headers.RetryAfter);
            Assert.Equal("application/problem+json", away.Content.Headers.ContentType?.MediaType);
            var text = await away.Content.ReadAsStringAsync();
            var problem = JsonNode.Parse(text)!.AsObject();
            Assert.Equal(503, (int)problem["status"]!);
            // Nothing of the exception may reach the caller: no stack trace, no connection details.
            Assert.DoesNotContain("   at ", text);
            Assert.DoesNotContain("Npgsql", text);
            Assert.DoesNotContain("Exception", text);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await admin.GetAsync("/api/indicators/latest")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
            // Not ready: a problem+json saying why in Vietnamese, like every other refusal of the machine paths.
            var ready = await anonymous.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("application/problem+json", ready.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(ready.Headers.RetryAfter);
            var notReady = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!.AsObject();
            Assert.Equal(503, (int)notReady["status"]!);
            Assert.Contains("không kết nối được cơ sở dữ liệu", (string?)notReady["detail"]);

            // The scrape still answers: the process's own series, without the counts that live in the database.
            var metrics = await admin.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            var exposition = await metrics.Content.ReadAsStringAsync();
            Assert.Contains("\nprocess_cpu_seconds_total ", exposition);
            Assert.Contains("\nhttp_requests_received_total{", exposition);
            Assert.DoesNotContain("\nntm_submissions_total{", exposition);
            Assert.DoesNotContain("\nntm_hangfire_jobs{", exposition);
        }
        finally
        {
            // Always: every later test in the collection needs the shared cluster.
            await cluster.RestartAsync();
            // The fixture's own pooled connections (it creates each test's database) died with the server;
            // without this the next test in the collection draws a dead one and fails on EndOfStream.
            Npgsql.NpgsqlConnection.ClearAllPools();
        }

        // The same app, not restarted: the data source must reconnect on its own. Bounded poll, no fixed sleep.
        await Poll.UntilAsync(async () => (await anonymous.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "/health/ready answers 200 again", everyMs: 250);

        var back = await admin.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901());
        Assert.Equal(HttpStatusCode.Created, back.StatusCode);
        var id = (string?)(await back.Content.ReadFromJsonAsync<JsonObject>())!["id"];

        // Nothing half-stored from the attempt while the database was away: only the accepted one is archived.
        var listed = await admin.GetFromJsonAsync<JsonObject>("/api/submissions?period=2026-W48");
        var only = Assert.Single(listed!["items"]!.AsArray());
        Assert.Equal(id, (string?)only!["id"]);
    }
}
