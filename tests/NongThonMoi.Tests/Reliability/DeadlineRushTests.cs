using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Hangfire;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Indicators;
using NongThonMoi.Submissions;
using NongThonMoi.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace NongThonMoi.Tests.Reliability;

/// <summary>
/// Deadline rush: every district of a national-scale province list submits within one minute from many concurrent
/// clients over real HTTP connections to Kestrel. Zero errors, every body archived exactly once, repeats answered with
/// the first answer, and the figures (from the recomputes the submissions trigger, no admin action) equal a plain
/// recount of the bodies sent.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class DeadlineRushTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const int Districts = 500;
    private const int CommunesPerDistrict = 10;
    private const int Clients = 32;
    private const string Period = "2026-W48";
    private const int Year = 2026;
    private const int CriteriaCount = 10;   // the 2026–2030 set in force for 2026
    private static readonly string[] Statuses = ["chua-dat", "dat-chuan", "hien-dai"];
    private static readonly string[] BandLabels = ["10", "8-9", "5-7", "3-4", "0-2"];

    private sealed record Row(string Code, string Status, int? Year, int[] Met);

    private sealed record Body(string Unit, byte[] Bytes, List<Row> Rows, int Ocop)
    {
        public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Bytes));
    }

    /// <summary>What one unit sends: its body, maybe the same body again (after the answer, or twice at once), maybe a corrected body.</summary>
    private sealed record Plan(string Unit, string Token, Body First, bool RepeatAfter, bool RepeatAtOnce, Body? Second);

    private sealed record Answer(string Unit, string Sha256, HttpStatusCode Status, Guid? Id, TimeSpan Latency, string? Problem);

    private static string UnitsCsv()
    {
        var csv = new StringBuilder("code,name,level,parent,region,flags\n20,Tỉnh Thử Nghiệm,province,,TDMNPB,\n");
        for (var d = 0; d < Districts; d++) csv.Append(CultureInfo.InvariantCulture, $"{100 + d},Huyện {d},district,20,,\n");
        for (var d = 0; d < Districts; d++)
            for (var c = 0; c < CommunesPerDistrict; c++)
                csv.Append(CultureInfo.InvariantCulture, $"{CommuneCode(d, c)},Xã {d}-{c},commune,{100 + d},,\n");
        return csv.ToString();
    }

    private static string CommuneCode(int district, int commune) => (10000 + district * CommunesPerDistrict + commune).ToString(CultureInfo.InvariantCulture);

    private static Body Generate(int district, Random random)
    {
        var rows = Enumerable.Range(0, CommunesPerDistrict).Select(c =>
        {
            var status = Statuses[random.Next(Statuses.Length)];
            var met = status != "chua-dat" && random.NextDouble() < 0.7
                ? Enumerable.Range(1, CriteriaCount).ToArray()
                : Enumerable.Range(1, CriteriaCount).Where(_ => random.NextDouble() < 0.6).ToArray();
            return new Row(CommuneCode(district, c), status, status == "chua-dat" ? null : random.Next(2012, Year + 1), met);
        }).ToList();
        var ocop = random.Next(0, 6);
        var json = JsonSerializer.SerializeToUtf8Bytes(new
        {
            unit = (100 + district).ToString(CultureInfo.InvariantCulture),
            period = Period,
            communes = rows.Select(r => new { code = r.Code, status = r.Status, recognized_year = r.Year, criteria_met = r.Met }),
            data = new { ocop_3_sao = ocop },
        });
        return new Body((100 + district).ToString(CultureInfo.InvariantCulture), json, rows, ocop);
    }

    [Fact]
    public async Task Every_district_submitting_within_one_minute_from_many_clients_gets_no_error_one_archived_copy_and_the_right_figures()
    {
        var setup = Stopwatch.StartNew();
        using var reference = new TestReference(UnitsCsv());
        // Wednesday 25/11/2026 10:00 in Hà Nội, before Friday's deadline; each reading of the clock moves it 1 ms on.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        await using var app = await TestApp.StartAsync(postgres, referenceDirectory: reference.Directory, clock: clock, listen: true);

        var tokens = app.Get<TokenService>();
        var random = new Random(20261125);
        var plans = new List<Plan>();
        for (var d = 0; d < Districts; d++)
        {
            var first = Generate(d, random);
            var roll = random.NextDouble();
            plans.Add(new Plan(first.Unit, await tokens.CreateAsync(first.Unit, default), first,
                RepeatAfter: roll < 0.10, RepeatAtOnce: roll is >= 0.10 and < 0.13, Second: random.NextDouble() < 0.05 ? Generate(d, random) : null));
        }
        var shuffled = new ConcurrentQueue<Plan>(plans.OrderBy(_ => random.Next()));
        output.WriteLine($"setup (database, {Districts} districts × {CommunesPerDistrict} communes, tokens): {setup.Elapsed.TotalSeconds:F1} s");

        // The rush: each client takes the next district and sends what it has to send, over its own connections.
        var answers = new ConcurrentBag<Answer>();
        var rush = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 2 }) { BaseAddress = app.Listening, Timeout = TimeSpan.FromSeconds(60) };
            while (shuffled.TryDequeue(out var plan))
            {
                if (plan.RepeatAtOnce)
                    foreach (var a in await Task.WhenAll(SubmitAsync(http, plan, plan.First), SubmitAsync(http, plan, plan.First))) answers.Add(a);
                else
                    answers.Add(await SubmitAsync(http, plan, plan.First));
                if (plan.RepeatAfter) answers.Add(await SubmitAsync(http, plan, plan.First));
                if (plan.Second is { } second) answers.Add(await SubmitAsync(http, plan, second));
            }
        })));
        rush.Stop();

        var all = answers.ToList();
        var latencies = all.Select(a => a.Latency.TotalMilliseconds).Order().ToList();
        double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        output.WriteLine($"rush: {Districts} units, {Clients} clients, {all.Count} requests in {rush.Elapsed.TotalSeconds:F1} s = " +
                         $"{all.Count / rush.Elapsed.TotalSeconds:F0}/s, p50 {Percentile(0.50):F0} ms, p99 {Percentile(0.99):F0} ms, max {latencies[^1]:F0} ms");

        // Zero errors. How fast is the benchmark's business (bench/, scenario "ingest"), not an assertion a busy machine can break.
        var failures = all.Where(a => a.Status != HttpStatusCode.Created).ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} non-201 answers, e.g. {string.Join(" | ", failures.Take(3).Select(f => $"{f.Unit} {(int)f.Status} {f.Problem}"))}");

        // A repeat of a body is answered with the first answer's id; different bodies get different ids.
        foreach (var group in all.GroupBy(a => (a.Unit, a.Sha256)))
            Assert.Single(group.Select(a => a.Id).Distinct());
        var distinct = plans.SelectMany(p => p.Second is null ? [p.First] : new[] { p.First, p.Second }).ToList();
        Assert.Equal(distinct.Count, all.Select(a => a.Id).Distinct().Count());

        // Every distinct body archived exactly once, verbatim; the newest body of each district is the one that counts.
        await using (var db = new NpgsqlConnection(app.ConnectionString))
        {
            var archived = (await db.QueryAsync<(string Unit, string Sha256, byte[] Body, string Status)>(
                "select unit_code, sha256, body, status from submissions where period = @Period", new { Period })).ToList();
            Assert.Equal(distinct.Count, archived.Count);
            Assert.Equal(distinct.Select(b => (b.Unit, b.Sha256)).Order(), archived.Select(a => (a.Unit, a.Sha256)).Order());
            Assert.All(archived, a => Assert.Equal("accepted", a.Status));
            var bodies = distinct.ToDictionary(b => b.Sha256);
            Assert.All(archived, a => Assert.Equal(bodies[a.Sha256].Bytes, a.Body));
            var current = (await db.QueryAsync<(string Unit, Guid Id)>(
                "select unit_code, submission_id from current_submissions where period = @Period", new { Period })).ToDictionary(c => c.Unit, c => c.Id);
            Assert.Equal(Districts, current.Count);
            foreach (var plan in plans)
                Assert.Equal(all.First(a => a.Sha256 == (plan.Second ?? plan.First).Sha256).Id, current[plan.Unit]);
        }

        // The figures: the recomputes that the submissions triggered have run (no admin action), and the newest snapshot
        // equals a plain recount of the newest body of every district.
        var settle = Stopwatch.StartNew();
        var monitor = app.Get<JobStorage>().GetMonitoringApi();
        // The trigger enqueues from its own loop: the last requests may still wait in it, not yet in the queue.
        await app.Get<HangfireRecomputeTrigger>().FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        // Every job in a final state, read from the jobs themselves: a job a worker has just fetched is neither counted as
        // enqueued (it left the queue) nor as processing (its state changes a moment later), so "enqueued + processing = 0"
        // could pass while the last recompute was about to run. A hang guard: 90 s, then the test fails.
        await Poll.UntilAsync(async () =>
        {
            await using var db = new NpgsqlConnection(app.ConnectionString);
            return await db.ExecuteScalarAsync<long>(
                "select count(*) from hangfire.job where statename is null or statename not in ('Succeeded', 'Failed', 'Deleted')") == 0;
        }, TimeSpan.FromSeconds(90), "the recomputes the rush triggered settled", everyMs: 200);
        settle.Stop();
        await using (var db = new NpgsqlConnection(app.ConnectionString))
            output.WriteLine($"recomputes settled {settle.Elapsed.TotalSeconds:F1} s after the rush; " +
                             $"{await db.ExecuteScalarAsync<long>("select count(*) from snapshots")} snapshots stored, " +
                             $"{monitor.SucceededListCount()} jobs succeeded, {monitor.FailedCount()} failed");
        Assert.Equal(0, monitor.FailedCount());
        var snapshot = (await app.Admin().GetFromJsonAsync<JsonObject>($"/api/indicators/{Period}"))!;
        var newest = plans.Select(p => p.Second ?? p.First).ToList();
        var rows = newest.SelectMany(b => b.Rows).ToList();
        var province = snapshot["province"]!;
        Assert.Equal(Districts, (int)snapshot["submissions"]!["on_time"]!);
        Assert.Equal(0, (int)snapshot["submissions"]!["missing"]!);
        Assert.Equal(rows.Count, (int)province["communes"]!);
        Assert.Equal(0, (int)province["communes_without_data"]!);
        var standard = rows.Count(r => r.Status != "chua-dat");
        Assert.Equal(standard, (int)province["standard"]!);
        Assert.Equal(Math.Round(100m * standard / rows.Count, 2, MidpointRounding.AwayFromZero), (decimal)province["standard_pct"]!);
        Assert.Equal(rows.Count(r => r.Status != "chua-dat" && r.Year == Year), (int)province["new_standard_this_year"]!);
        Assert.Equal(rows.Count(r => r.Status == "hien-dai"), (int)province["modern"]!);
        Assert.Equal(Math.Round((decimal)rows.Sum(r => r.Met.Length) / rows.Count, 2, MidpointRounding.AwayFromZero), (decimal)province["avg_criteria"]!);
        Assert.Equal(BandLabels.Select(l => rows.Count(r => InBand(l, r.Met.Length))), BandLabels.Select(l => (int)province["bands"]![l]!));
        Assert.Equal(Enumerable.Range(1, CriteriaCount).Select(n => rows.Count(r => r.Met.Contains(n))),
            province["criteria"]!.AsArray().Select(c => (int)c!["met"]!));
        Assert.Equal(newest.Sum(b => b.Ocop), (decimal)province["data"]!["ocop_3_sao"]!);
        var districts = snapshot["districts"]!.AsArray().ToDictionary(d => (string)d!["code"]!);
        foreach (var body in newest)
        {
            var d = districts[body.Unit]!;
            Assert.Equal(body.Rows.Count(r => r.Status != "chua-dat"), (int)d["standard"]!);
            Assert.Equal("on-time", (string?)d["submission"]);
        }
        output.WriteLine($"figures: {standard}/{rows.Count} communes standard, avg criteria {province["avg_criteria"]}, " +
                         $"{Districts} districts on time; total {setup.Elapsed.TotalSeconds:F1} s");
    }

    private static bool InBand(string label, int count) => label.Split('-') is var p && count >= int.Parse(p[0], CultureInfo.InvariantCulture)
        && count <= int.Parse(p[^1], CultureInfo.InvariantCulture);

    private static async Task<Answer> SubmitAsync(HttpClient http, Plan plan, Body body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/submissions") { Content = new ByteArrayContent(body.Bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", plan.Token);
        var watch = Stopwatch.StartNew();
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        watch.Stop();
        Guid? id = response.StatusCode == HttpStatusCode.Created && JsonNode.Parse(text)?["id"] is { } node ? Guid.Parse((string)node!) : null;
        return new Answer(plan.Unit, body.Sha256, response.StatusCode, id, watch.Elapsed, response.StatusCode == HttpStatusCode.Created ? null : text);
    }
}
