using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Bulletins;
using NongThonMoi.Infrastructure.Database;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests;

/// <summary>The whole path on the real components: a district submits, the figures are recomputed, a bulletin reaches the mailbox.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class WalkingSkeletonTests(PostgresFixture postgres, SmtpFixture smtp)
{
    /// <summary>Wednesday 25/11/2026 10:00 in Hà Nội: week 48, before Friday's deadline.</summary>
    private static FakeTimeProvider Wednesday() => new(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));

    private static TestReference SmallProvince(string tag) => new(TestReference.SmallProvince,
        committees: new object[]
        {
            new { id = "bcd-tinh", name = "Ban Chỉ đạo tỉnh", scope = "province",
                  members = new[] { new { name = "Chánh Văn phòng", email = $"tinh-{tag}@example.vn" }, new { name = "Phó Văn phòng", email = $"pho-{tag}@example.vn" } } },
            new { id = "bcd-901", name = "Ban Chỉ đạo huyện Một", scope = "901", reminders = true,
                  members = new[] { new { name = "Văn phòng huyện", email = $"huyen-{tag}@example.vn" } } },
        },
        targets: new Dictionary<string, object> { ["2026"] = new { province = new { new_standard = 1 } } });

    internal static object Body901(string period = "2026-W48") => new
    {
        unit = "901",
        period,
        communes = new object[]
        {
            new { code = "90101", status = "dat-chuan", recognized_year = 2026, criteria_met = Enumerable.Range(1, 10) },
            new { code = "90102", status = "chua-dat", criteria_met = new[] { 1, 2, 3, 4, 5, 6 } },
            new { code = "90103", status = "chua-dat", criteria_met = new[] { 1, 2 } },
        },
        data = new { ocop_3_sao = 3 },
    };

    internal static object Body902(string period = "2026-W48") => new
    {
        unit = "902",
        period,
        communes = new object[]
        {
            new { code = "90201", status = "dat-chuan", recognized_year = 2021, criteria_met = Enumerable.Range(1, 10) },
            new { code = "90202", status = "chua-dat", criteria_met = new[] { 1, 2, 3, 4 } },
        },
    };

    [Fact]
    public async Task Migrations_apply_to_an_empty_database_once()
    {
        await using var app = await TestApp.StartAsync(postgres, serves: false);
        var runner = app.Get<MigrationRunner>();
        Assert.False(await runner.IsUpToDateAsync(CancellationToken.None));
        Assert.Equal(MigrationRunner.Scripts.Count, await runner.ApplyAsync(CancellationToken.None));
        Assert.Equal(0, await runner.ApplyAsync(CancellationToken.None));
        Assert.True(await runner.IsUpToDateAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_submission_goes_in_and_the_snapshot_comes_out_with_the_right_counts()
    {
        using var reference = SmallProvince("counts");
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var admin = app.Admin();

        var token = await CreateTokenAsync(admin, "901");
        var district = app.District(token);
        var first = await district.PostAsJsonAsync("/api/submissions", Body901());
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var answer = await first.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("accepted", (string?)answer!["status"]);
        Assert.False((bool)answer["late"]!);
        Assert.Equal($"/api/submissions/{answer["id"]}", first.Headers.Location?.ToString());

        // The same body again: the same answer, and no second copy in the archive.
        var repeat = await (await district.PostAsJsonAsync("/api/submissions", Body901())).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal((string?)answer["id"], (string?)repeat!["id"]);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions", Body902())).StatusCode);
        var listed = await admin.GetFromJsonAsync<JsonObject>("/api/submissions?period=2026-W48");
        Assert.Equal(2, listed!["items"]!.AsArray().Count);

        // The recompute job runs on the Hangfire server after each accepted submission.
        var snapshot = await WaitForSnapshotAsync(admin, s => (int)s["submissions"]!["on_time"]! == 2);
        var p = snapshot["province"]!;
        Assert.Equal(5, (int)p["communes"]!);
        Assert.Equal(2, (int)p["standard"]!);
        Assert.Equal(40.0m, (decimal)p["standard_pct"]!);
        Assert.Equal(1, (int)p["new_standard_this_year"]!);
        Assert.Equal(6.40m, (decimal)p["avg_criteria"]!);   // (10 + 6 + 2 + 10 + 4) / 5
        Assert.Equal(2, (int)p["bands"]!["10"]!);
        Assert.Equal(1m, (decimal)p["targets"]!["new_standard"]!);
        Assert.Equal(3m, (decimal)p["data"]!["ocop_3_sao"]!);
        Assert.Equal("qd51-2026-2030", (string?)snapshot["criteria_set"]);
        Assert.Equal(new[] { "901", "902" }, snapshot["districts"]!.AsArray().Select(d => (string?)d!["code"]));
        Assert.All(snapshot["districts"]!.AsArray(), d => Assert.Equal("on-time", (string?)d!["submission"]));
    }

    [Fact]
    public async Task A_rejected_submission_is_archived_byte_for_byte_and_changes_no_figure()
    {
        using var reference = SmallProvince("rejected");
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var admin = app.Admin();
        var body = """{ "unit": "902", "period": "2026-W48", "communes": [ { "code": "90201", "status": "dat-chuan", "criteria_met": [1, 2, 11] } ] }""";
        var response = await admin.PostAsync("/api/submissions", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Submission rejected", (string?)problem!["title"]);
        var errors = problem["errors"]!.AsArray();
        Assert.Contains(errors, e => (string?)e!["commune"] == "90201" && (string?)e["field"] == "recognized_year");
        Assert.Contains(errors, e => (string?)e!["commune"] == "90201" && (string?)e["field"] == "criteria_met");
        Assert.Contains(errors, e => (string?)e!["commune"] == "90202" && (string?)e["field"] == "communes");

        var id = Guid.Parse((string)problem["id"]!);
        var archived = await admin.GetFromJsonAsync<JsonObject>($"/api/submissions/{id}");
        Assert.Equal("rejected", (string?)archived!["status"]);
        Assert.Equal(body, System.Text.Encoding.UTF8.GetString((await app.Get<NongThonMoi.Submissions.SubmissionStore>().GetBodyAsync(id, default))!));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/indicators/latest")).StatusCode);
    }

    [Fact]
    public async Task A_token_works_for_its_own_unit_only_and_stops_when_revoked()
    {
        using var reference = SmallProvince("tokens");
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var token = await CreateTokenAsync(app.Admin(), "901");
        var district = app.District(token);

        Assert.Equal(HttpStatusCode.Forbidden, (await district.PostAsJsonAsync("/api/submissions", Body902())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await district.GetAsync("/api/indicators/latest")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await district.GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await district.PostAsJsonAsync("/api/submissions", Body901())).StatusCode);

        await app.Get<NongThonMoi.Submissions.TokenService>().RevokeAsync("901", default);
        Assert.Equal(HttpStatusCode.Unauthorized, (await district.PostAsJsonAsync("/api/submissions", Body901("2026-W47"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.District("ntm_guessed").GetAsync("/api/submissions")).StatusCode);
    }

    [Fact]
    public async Task The_bulletin_reaches_each_member_once_even_when_the_job_runs_twice()
    {
        smtp.Reset();
        using var reference = SmallProvince("once");
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var admin = app.Admin();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions", Body901())).StatusCode);
        await WaitForSnapshotAsync(admin, s => (int)s["submissions"]!["on_time"]! == 1);

        // Two triggers at once (two workers), then a third later (a retry): one message per member.
        await Task.WhenAll(
            app.InScopeAsync<BulletinJob, NongThonMoi.Infrastructure.Mail.RunResult>(j => j.SendAsync("2026-W48", null, false, default)),
            app.InScopeAsync<BulletinJob, NongThonMoi.Infrastructure.Mail.RunResult>(j => j.SendAsync("2026-W48", null, false, default)));
        var third = await app.InScopeAsync<BulletinJob, NongThonMoi.Infrastructure.Mail.RunResult>(j => j.SendAsync("2026-W48", null, false, default));
        Assert.Equal(0, third.Sent);

        foreach (var address in new[] { "tinh-once@example.vn", "pho-once@example.vn", "huyen-once@example.vn" })
        {
            var message = Assert.Single(smtp.To(address));
            Assert.StartsWith("Bản tin tiến độ xây dựng nông thôn mới – ", message.Subject);
            Assert.StartsWith("bulletin.2026-W48.0.", message.MessageId);
            Assert.NotNull(message.TextBody);
            Assert.Contains("BẢN TIN TIẾN ĐỘ", message.HtmlBody);
        }
        Assert.Contains("Tỉnh Thử Nghiệm", smtp.To("tinh-once@example.vn")[0].Subject);
        Assert.Contains("Huyện Một", smtp.To("huyen-once@example.vn")[0].Subject);
        Assert.Contains("chưa nhận: Huyện Hai", smtp.To("tinh-once@example.vn")[0].TextBody);

        var ledger = await admin.GetFromJsonAsync<JsonObject>("/api/admin/bulletins?period=2026-W48");
        Assert.Equal(3, ledger!["items"]!.AsArray().Count);
        Assert.All(ledger["items"]!.AsArray(), d => Assert.Equal(("sent", 1), ((string?)d!["status"], (int)d["attempts"]!)));
    }

    [Fact]
    public async Task The_dashboard_and_admin_api_need_the_admin_login_and_health_needs_none()
    {
        using var reference = SmallProvince("auth");
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, schedule: true);
        var anonymous = app.Anonymous();
        var dashboard = await anonymous.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Unauthorized, dashboard.StatusCode);
        Assert.Equal("Basic", dashboard.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/hangfire/recurring")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/admin/bulletins")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/admin/tokens", JsonContent.Create(new { unit = "901" }))).StatusCode);

        var wrong = app.Anonymous();
        wrong.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String("admin:wrong-password"u8.ToArray()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/hangfire")).StatusCode);

        var page = await app.Admin().GetAsync("/hangfire/recurring");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("recompute", html);
        Assert.Contains("bulletin", html);
        Assert.Contains("reminders", html);
        Assert.DoesNotContain(app.ConnectionString, html);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        var ready = await anonymous.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    internal static async Task<string> CreateTokenAsync(HttpClient admin, string unit)
    {
        var response = await admin.PostAsJsonAsync("/api/admin/tokens", new { unit });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var token = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!;
        Assert.StartsWith("ntm_", token);
        return token;
    }

    internal static async Task<JsonObject> WaitForSnapshotAsync(HttpClient admin, Func<JsonObject, bool> ready, int seconds = 30)
    {
        JsonObject? last = null;
        try
        {
            await Poll.UntilAsync(async () =>
            {
                var response = await admin.GetAsync("/api/indicators/latest");
                if (response.StatusCode != HttpStatusCode.OK) return false;
                last = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
                return ready(last);
            }, TimeSpan.FromSeconds(seconds), "a snapshot as expected", everyMs: 200);
            return last!;
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; last: {last?.ToJsonString(new JsonSerializerOptions { WriteIndented = false })}", e);
        }
    }
}
