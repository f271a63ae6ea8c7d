using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Hangfire;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace NongThonMoi.Tests.Bulletins;

/// <summary>
/// Issue 15 on one worker: a delivery refused for good (550) never makes a job send anything again — not a resend, not the
/// scheduled bulletin, not the reminders — and is shown failed; two resends asked for at once are two copies, each sent
/// once per member. The jobs run through the real Hangfire server, retries included.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ExactlyOnceTests(PostgresFixture postgres, ITestOutputHelper output)
{
    /// <summary>
    /// Hang guard. Long enough to see a job through two automatic retries (Hangfire waits up to about 2 minutes for them),
    /// so that a retry that did send something again would be seen; nothing here asserts a duration.
    /// </summary>
    private static readonly TimeSpan RetryWindow = TimeSpan.FromSeconds(180);

    private const string Refused = "hong@exactly.example.vn";

    private static readonly string[] Served = ["tinh1@exactly.example.vn", "tinh2@exactly.example.vn", "mot@exactly.example.vn", "hai@exactly.example.vn"];

    /// <summary>The refused mailbox sits in a committee with reminders, so that the bulletin and the reminders both meet it.</summary>
    private static TestReference Province() => new(TestReference.SmallProvince, committees: new object[]
    {
        new { id = "bcd-tinh", name = "Ban Chỉ đạo tỉnh", scope = "province",
              members = new[] { new { name = "Tỉnh Một", email = Served[0] }, new { name = "Tỉnh Hai", email = Served[1] } } },
        new { id = "bcd-901", name = "Ban Chỉ đạo huyện Một", scope = "901", members = new[] { new { name = "Huyện Một", email = Served[2] } } },
        new { id = "bcd-902", name = "Ban Chỉ đạo huyện Hai", scope = "902", reminders = true,
              members = new[] { new { name = "Huyện Hai", email = Served[3] }, new { name = "Hộp thư hỏng", email = Refused } } },
    });

    /// <summary>Wednesday 25/11/2026 10:00 in Hà Nội: week 48 is open, week 47 the newest period whose deadline has passed.</summary>
    private static FakeTimeProvider Wednesday() => new(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_resend_with_one_address_refused_serves_every_other_member_once_even_after_the_retry_window()
    {
        await using var relay = SmtpFixture.StartOn(SmtpFixture.FreePort());
        relay.Refuse(Refused);
        using var reference = Province();
        await using var app = await TestApp.StartAsync(postgres, relay, reference.Directory, Wednesday());
        var admin = app.Admin();

        var answer = await admin.PostAsync("/api/admin/bulletins/send?resend=true", null);
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        var job = (string)(await answer.Content.ReadFromJsonAsync<JsonObject>())!["job_id"]!;
        var state = await FinalStateAsync(app, job);
        var performed = await PerformedAsync(app, job);
        output.WriteLine($"resend job {job}: {state} after {performed} performance(s); messages: {Count(relay)}");

        foreach (var email in Served)
            Assert.True(relay.To(email).Count == 1, $"{email} received {relay.To(email).Count} messages: {string.Join(", ", relay.To(email).Select(m => m.MessageId))}");
        Assert.Empty(relay.To(Refused));
        Assert.All(Served, e => Assert.Equal("1", relay.To(e).Single().Headers["X-NTM-Resend"]));
        // The policy: Failed, so that Hangfire shows it, and not retried — a retry would have nothing to send.
        Assert.Equal(("Failed", 1L), (state, performed));
        await AssertShownFailedAsync(app, "bulletin");

        // The admin's "Requeue" in the dashboard, after the fact: the same run again, nothing to send, the same end.
        app.Get<IBackgroundJobClient>().Requeue(job);
        await Poll.UntilAsync(async () => await PerformedAsync(app, job) == 2 && await StateAsync(app, job) is "Failed" or "Succeeded", RetryWindow, "the requeued job ended");
        Assert.Equal("Failed", await StateAsync(app, job));
        Assert.All(Served, e => Assert.Single(relay.To(e)));
        output.WriteLine($"requeued by hand: {await StateAsync(app, job)} again, messages still {Count(relay)}");
    }

    [Fact]
    public async Task A_scheduled_bulletin_and_reminders_with_one_address_refused_serve_every_other_member_once_and_end_failed_unretried()
    {
        await using var relay = SmtpFixture.StartOn(SmtpFixture.FreePort());
        relay.Refuse(Refused);
        using var reference = Province();
        await using var app = await TestApp.StartAsync(postgres, relay, reference.Directory, Wednesday(), schedule: true);

        // What the schedule does on Monday morning and every day at 08:00, asked for now.
        var recurring = (IRecurringJobManagerV2)app.Get<IRecurringJobManager>();
        var bulletin = recurring.TriggerJob("bulletin");
        var reminders = recurring.TriggerJob("reminders");
        var bulletinState = await FinalStateAsync(app, bulletin);
        var reminderState = await FinalStateAsync(app, reminders);
        var (bulletinRuns, reminderRuns) = (await PerformedAsync(app, bulletin), await PerformedAsync(app, reminders));
        output.WriteLine($"scheduled bulletin job: {bulletinState} after {bulletinRuns} performance(s); reminders job: {reminderState} after {reminderRuns}; " +
                         $"messages: {Count(relay)}");

        var bulletins = relay.Messages.Where(m => m.Headers.Contains("X-NTM-Period")).ToList();
        foreach (var email in Served)
            Assert.True(bulletins.Count(m => m.To.Mailboxes.Single().Address == email) == 1, $"{email}: not exactly one bulletin");
        Assert.All(bulletins, m => Assert.Equal("2026-W47", m.Headers["X-NTM-Period"]));   // the newest closed week
        var overdue = relay.To(Served[3]).Where(m => (m.Subject ?? "").StartsWith("Quá hạn", StringComparison.Ordinal)).ToList();
        Assert.Single(overdue);
        Assert.Empty(relay.To(Refused));

        Assert.Equal(("Failed", 1L), (bulletinState, bulletinRuns));
        Assert.Equal(("Failed", 1L), (reminderState, reminderRuns));
        await AssertShownFailedAsync(app, "bulletin");
        await AssertShownFailedAsync(app, "reminder-overdue");
    }

    [Fact]
    public async Task Two_resends_asked_for_at_once_on_two_workers_are_two_copies_each_sent_once_per_member()
    {
        await using var relay = SmtpFixture.StartOn(SmtpFixture.FreePort());
        using var reference = Province();
        await using var first = await TestApp.StartAsync(postgres, relay, reference.Directory, Wednesday());
        await using var second = await TestApp.StartAsync(postgres, relay, reference.Directory, Wednesday(), sharedDatabase: first.ConnectionString);
        var all = Served.Append(Refused).ToArray();   // no address refused in this one

        var answers = await Task.WhenAll(first.Admin().PostAsync("/api/admin/bulletins/send?resend=true", null),
                                         second.Admin().PostAsync("/api/admin/bulletins/send?resend=true", null));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        // The copies are the requests', made before either answer came back: not left to the jobs to number.
        var copies = await QueryAsync<int>(first, "select copy from mail_runs where kind = 'bulletin' order by copy");
        output.WriteLine($"right after both answers: copies {string.Join(", ", copies)}");
        Assert.Equal([1, 2], copies);

        var jobs = new List<string>();
        foreach (var a in answers) jobs.Add((string)(await a.Content.ReadFromJsonAsync<JsonObject>())!["job_id"]!);
        var states = new List<string>();
        foreach (var job in jobs) states.Add($"{await FinalStateAsync(first, job)}/{await PerformedAsync(first, job)}");
        output.WriteLine($"jobs {string.Join(", ", jobs)}: {string.Join(", ", states)}; messages: {Count(relay)}");

        foreach (var email in all)
        {
            var received = relay.To(email);
            Assert.True(received.Count == 2, $"{email} received {received.Count} messages");
            Assert.Equal(["1", "2"], received.Select(m => m.Headers["X-NTM-Resend"]).Order());
        }
        Assert.All(states, s => Assert.Equal("Succeeded/1", s));
    }

    /// <summary>The refused delivery is failed in the ledger, on the operations page and in /metrics.</summary>
    private async Task AssertShownFailedAsync(TestApp app, string kind)
    {
        var admin = app.Admin();
        var ledger = (await admin.GetFromJsonAsync<JsonObject>("/api/admin/bulletins"))!["items"]!.AsArray();
        var refused = Assert.Single(ledger, d => (string?)d!["recipient"] == Refused && (string?)d["kind"] == kind)!;
        Assert.Equal(("failed", 1), ((string?)refused["status"], (int)refused["attempts"]!));
        Assert.StartsWith("550", (string?)refused["error"]);
        Assert.All(ledger.Where(d => (string?)d!["recipient"] != Refused), d => Assert.Equal("sent", (string?)d!["status"]));

        var page = await admin.GetStringAsync("/hangfire/bao-cao-ntm");
        var table = kind == "bulletin" ? "id=\"ntm-failed\"" : "id=\"ntm-failed-reminders\"";
        Assert.Contains(table, page);
        Assert.Contains(Refused, page[page.IndexOf(table, StringComparison.Ordinal)..]);
        var metrics = await admin.GetStringAsync("/metrics");
        var failed = ledger.Count(d => (string?)d!["status"] == "failed");
        Assert.Contains($"ntm_deliveries{{status=\"failed\"}} {failed}\n", metrics);
        output.WriteLine($"{kind}: {Refused} failed ({refused["error"]}) in the ledger, on the page; /metrics: ntm_deliveries{{status=\"failed\"}} {failed}");
    }

    private static string Count(SmtpFixture relay) =>
        $"{relay.Messages.Count} for {relay.Messages.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count()} addresses";

    /// <summary>Waits until the job has ended for good: Succeeded or Failed, with no automatic retry still to come.</summary>
    private static async Task<string> FinalStateAsync(TestApp app, string job)
    {
        string? state = null;
        await Poll.UntilAsync(async () => (state = await StateAsync(app, job)) is "Succeeded" or "Failed" or "Deleted", RetryWindow, $"job {job} ended");
        return state!;
    }

    private static Task<string?> StateAsync(TestApp app, string job) =>
        ScalarAsync<string?>(app, "select statename from hangfire.job where id = @id", new { id = long.Parse(job, System.Globalization.CultureInfo.InvariantCulture) });

    /// <summary>How many times a worker started the job (each automatic retry is one more).</summary>
    private static Task<long> PerformedAsync(TestApp app, string job) =>
        ScalarAsync<long>(app, "select count(*) from hangfire.state where jobid = @id and name = 'Processing'", new { id = long.Parse(job, System.Globalization.CultureInfo.InvariantCulture) });

    private static async Task<T> ScalarAsync<T>(TestApp app, string sql, object parameters)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    private static async Task<List<T>> QueryAsync<T>(TestApp app, string sql)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return (await connection.QueryAsync<T>(sql)).ToList();
    }
}
