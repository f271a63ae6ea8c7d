using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Bulletins;
using NongThonMoi.Infrastructure.Mail;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Operations;

/// <summary>
/// <c>/metrics</c>: Prometheus text behind the admin login (prometheus-net), with the HTTP, runtime, Npgsql and Hangfire
/// series beside the programme's own, whose names and counts follow what happens.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class MetricsTests(PostgresFixture postgres, SmtpFixture smtp)
{
    [Fact]
    public async Task The_counters_move_with_submissions_recomputes_and_deliveries()
    {
        smtp.Reset();
        using var reference = new TestReference(TestReference.SmallProvince, committees: new object[]
        {
            new { id = "bcd-tinh", name = "Ban Chỉ đạo tỉnh", scope = "province", members = new[] { new { name = "Văn phòng", email = "tinh-metrics@example.vn" } } },
        });
        // Friday 27/11/2026 16:00 in Hà Nội: an hour before week 48's deadline.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, clock);
        var admin = app.Admin();

        var before = await ScrapeAsync(admin);
        Assert.Equal(0, before["ntm_submissions_total{outcome=\"accepted\"}"]);
        Assert.Equal(0, before["ntm_hangfire_jobs_failed"]);
        Assert.False(before.ContainsKey("ntm_snapshot_age_seconds"));

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901())).StatusCode);
        var bad = """{ "unit": "902", "period": "2026-W48", "communes": [] }""";
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await admin.PostAsync("/api/submissions", new StringContent(bad, Encoding.UTF8, "application/json"))).StatusCode);
        clock.SetUtcNow(new DateTimeOffset(2026, 11, 27, 10, 30, 0, TimeSpan.Zero));   // 17:30, past the deadline
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body902())).StatusCode);
        await WalkingSkeletonTests.WaitForSnapshotAsync(admin, s => (int)s["submissions"]!["late"]! == 1);
        await app.InScopeAsync<BulletinJob, RunResult>(j => j.SendAsync("2026-W48", null, false, default));
        clock.Advance(TimeSpan.FromMinutes(10));

        var after = await ScrapeAsync(admin);
        Assert.Equal(2, after["ntm_submissions_total{outcome=\"accepted\"}"]);
        Assert.Equal(1, after["ntm_submissions_total{outcome=\"rejected\"}"]);
        Assert.Equal(1, after["ntm_submissions_late_total"]);
        Assert.Equal(1, after["ntm_deliveries{status=\"sent\"}"]);
        Assert.Equal(0, after["ntm_deliveries{status=\"failed\"}"]);
        Assert.InRange(after["ntm_snapshot_age_seconds"], 600, 24 * 3600);
        Assert.True(after["ntm_recompute_duration_seconds_count"] >= 1);
        Assert.True(after["ntm_recompute_duration_seconds_sum"] > 0);
        Assert.True(after.ContainsKey("ntm_recompute_last_duration_seconds"));

        // The requests above, by status, method and route pattern (prometheus-net's HTTP middleware).
        Assert.Contains(after, s => s.Key.StartsWith("http_requests_received_total{", StringComparison.Ordinal)
            && s.Key.Contains("code=\"201\"") && s.Key.Contains("method=\"POST\"") && s.Key.Contains("endpoint=\"/api/submissions/\"") && s.Value >= 2);
        Assert.Contains(after, s => s.Key.StartsWith("http_request_duration_seconds_bucket{", StringComparison.Ordinal));
        // The .NET runtime and the process.
        Assert.True(after["process_cpu_seconds_total"] > 0);
        Assert.Contains(after, s => s.Key.StartsWith("dotnet_collection_count_total{", StringComparison.Ordinal));
        // Npgsql's own meter, bridged from System.Diagnostics.Metrics, labelled with the data source's name only.
        Assert.Contains(after, s => s.Key.StartsWith("npgsql_db_client_operation_duration_count{", StringComparison.Ordinal)
            && s.Key.Contains("db_client_connection_pool_name=\"nongthonmoi\"") && s.Value > 0);
        // Hangfire's jobs by state: the recomputes that the submissions enqueued have run.
        foreach (var state in new[] { "enqueued", "scheduled", "processing", "failed", "succeeded" })
            Assert.True(after.ContainsKey($"ntm_hangfire_jobs{{state=\"{state}\"}}"), state);
        Assert.Equal(0, after["ntm_hangfire_jobs{state=\"failed\"}"]);
        await Poll.UntilAsync(async () => (await ScrapeAsync(admin))["ntm_hangfire_jobs{state=\"succeeded\"}"] >= 1,
            TimeSpan.FromSeconds(30), "a succeeded recompute job in ntm_hangfire_jobs");
    }

    [Fact]
    public async Task Metrics_need_the_admin_login_and_refuse_a_district_token()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory);
        var token = await WalkingSkeletonTests.CreateTokenAsync(app.Admin(), "901");

        var anonymous = await app.Anonymous().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Contains("đăng nhập", (string?)(await anonymous.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["detail"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.District(token).GetAsync("/metrics")).StatusCode);

        var response = await app.Admin().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("# TYPE ntm_submissions_total counter\n", await response.Content.ReadAsStringAsync());
    }

    /// <summary>Every sample line of the exposition, keyed by name and labels; also checks each line is well formed.</summary>
    private static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient admin)
    {
        var text = await admin.GetStringAsync("/metrics");
        var samples = new Dictionary<string, double>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#')) continue;
            var space = line.LastIndexOf(' ');
            Assert.True(space > 0, $"sample line without a value: {line}");
            samples.Add(line[..space], double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
        }
        return samples;
    }
}
