using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Tests.Support;
using Xunit.Abstractions;

namespace NongThonMoi.Tests.Operations;

/// <summary>
/// Two workers of one installation (two hosts, each with its Hangfire server, on one database): they share the queue,
/// register the recurring jobs without duplicating them, and a bulletin asked for on both reaches each member once.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class TwoWorkerTests(PostgresFixture postgres, SmtpFixture smtp, ITestOutputHelper output)
{
    private static readonly string[] Members = ["a-two@example.vn", "b-two@example.vn", "c-two@example.vn", "huyen-two@example.vn"];

    [Fact]
    public async Task Two_workers_share_the_queue_and_send_each_member_the_bulletin_once()
    {
        smtp.Reset();
        using var reference = new TestReference(TestReference.SmallProvince, committees: new object[]
        {
            new { id = "bcd-tinh", name = "Ban Chỉ đạo tỉnh", scope = "province",
                  members = Members[..3].Select(e => new { name = e, email = e }).ToArray() },
            new { id = "bcd-901", name = "Ban Chỉ đạo huyện Một", scope = "901", members = new[] { new { name = "Huyện", email = Members[3] } } },
        });
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));
        await using var first = await TestApp.StartAsync(postgres, smtp, reference.Directory, clock, schedule: true);
        await using var second = await TestApp.StartAsync(postgres, smtp, reference.Directory, clock, sharedDatabase: first.ConnectionString, schedule: true);

        var monitoring = first.Get<JobStorage>().GetMonitoringApi();
        // A Hangfire server announces itself in the background shortly after its host has started.
        var announced = await Poll.ForAsync(() => monitoring.Servers() is { Count: 2 } both ? both : null, TimeSpan.FromSeconds(60), "two servers announced");
        Assert.Equal(2, announced.Select(s => s.Name).Distinct().Count());
        using (var connection = first.Get<JobStorage>().GetConnection())
            Assert.Equal(3, connection.GetRecurringJobs().Count);   // both registered the same three, by id

        Assert.Equal(HttpStatusCode.Created, (await first.Admin().PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901())).StatusCode);
        await WalkingSkeletonTests.WaitForSnapshotAsync(second.Admin(), s => (int)s["submissions"]!["on_time"]! == 1);

        // An impatient admin asks again and again, on both workers, while the relay is slow: the first job sends the run's
        // messages one by one and every later job of the same run waits for them, so each job asked for stays on its
        // server. A server whose workers are all waiting fetches no more, so the other one must take the next job; asking
        // until two servers hold jobs ends within one server's worker count + 1. (The requests themselves write the run
        // and must not be held: holding a table the jobs read would hold them too.)
        var jobs = new List<string>();
        var holding = new List<string>();
        smtp.Delay = TimeSpan.FromSeconds(3);
        try
        {
            for (var asked = 0; asked < 17 && holding.Distinct().Count() < 2; asked++)
            {
                var app = asked % 2 == 0 ? first : second;
                var answer = await app.Admin().PostAsync("/api/admin/bulletins/send?period=2026-W48", null);
                Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
                var id = (string)(await answer.Content.ReadFromJsonAsync<JsonObject>())!["job_id"]!;
                jobs.Add(id);
                holding.Add(await Poll.ForAsync(() => ProcessingServer(monitoring, id), TimeSpan.FromSeconds(60), $"job {id} fetched"));
            }
        }
        finally
        {
            smtp.Delay = TimeSpan.Zero;
        }
        output.WriteLine($"{jobs.Count} jobs held by: {string.Join(", ", holding)}");
        Assert.Equal(2, holding.Distinct().Count());   // both servers took jobs from the one queue

        var states = await Poll.ForAsync(() =>
        {
            using var connection = first.Get<JobStorage>().GetConnection();
            var now = jobs.Select(id => connection.GetStateData(id)?.Name).ToList();
            return now.All(s => s is "Succeeded" or "Failed") ? now : null;
        }, TimeSpan.FromSeconds(60), "every bulletin job finished");
        Assert.All(states, s => Assert.Equal("Succeeded", s));   // no job lost, none failed
        var servers = jobs.Select(id => monitoring.JobDetails(id).History.Last(h => h.StateName == "Processing").Data["ServerId"]).ToList();
        Assert.Equal(announced.Select(s => s.Name).Order(), servers.Distinct().Order());

        foreach (var member in Members) Assert.Single(smtp.To(member));
        var ledger = (await second.Admin().GetFromJsonAsync<JsonObject>("/api/admin/bulletins?period=2026-W48"))!["items"]!.AsArray();
        Assert.Equal(Members.Length, ledger.Count);
        Assert.All(ledger, d => Assert.Equal(("sent", 1), ((string?)d!["status"], (int)d["attempts"]!)));
    }

    /// <summary>The server a job is processing on, once it is; null before.</summary>
    private static string? ProcessingServer(IMonitoringApi monitoring, string id) =>
        monitoring.JobDetails(id)?.History.FirstOrDefault(h => h.StateName == "Processing")?.Data["ServerId"];
}
