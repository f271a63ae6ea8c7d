using System.Diagnostics;
using System.Text.RegularExpressions;
using Dapper;
using NongThonMoi.Tests.Support;
using Npgsql;
using Xunit.Abstractions;
using static NongThonMoi.Tests.Support.LedgerQueries;

namespace NongThonMoi.Tests.Reliability;

/// <summary>
/// Issue 15, as real worker processes: a resend whose worker is killed mid-run is one copy, sent once per member, however
/// often Hangfire runs the job again; a dead worker's run is continued after about one delivery lease, not after the
/// invisibility timeout; and two workers starting together on an empty database both start cleanly.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ResendProcessTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const int Members = 32;

    /// <summary>Per message at the relay: 32 members take about 8 s, so the run is really in flight when the kill lands.</summary>
    private static readonly TimeSpan RelayDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>Hang guard for a loaded 2-core machine; nothing here asserts a duration.</summary>
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);

    private static readonly string[] Emails = Enumerable.Range(1, Members).Select(i => $"member{i:00}@resend.example.vn").ToArray();

    [Fact]
    public async Task A_resend_killed_with_SIGKILL_mid_run_and_restarted_reaches_every_member_with_that_copy_once()
    {
        var watch = Stopwatch.StartNew();
        await using var relay = BulletinProcesses.SlowRelay(RelayDelay);
        using var reference = BulletinProcesses.ManyMembers(Emails);
        var database = await postgres.CreateDatabaseAsync();
        // Hangfire fetches the dead worker's job again after 8 s (production: 5 min) and runs it a second time: that
        // second run must continue the copy the request made, not make another one.
        var settings = new Dictionary<string, string> { ["Jobs:InvisibilityTimeout"] = "00:00:08", ["Jobs:DeliveryLease"] = "00:00:03" };

        await using var a = BulletinProcesses.Worker("A", database, reference, relay, settings);
        await using var restarted = BulletinProcesses.Worker("A2", database, reference, relay, settings, deferred: true);
        try
        {
            await a.WaitReadyAsync(Generous);
            var job = await BulletinProcesses.SendBulletinAsync(a, "?resend=true");
            await WaitAsync(() => Task.FromResult(relay.Messages.Count >= 6 && relay.InFlight == 1), "6 messages at the relay and one in flight");
            a.Kill();
            Assert.True(await a.WaitForExitAsync(Generous), "A did not die on SIGKILL");
            var atKill = relay.Messages.Count;
            output.WriteLine($"SIGKILL after {atKill}/{Members} messages; ledger then: {Format(await StatusesAsync(database))}");

            restarted.Launch();
            await restarted.WaitReadyAsync(Generous);
            // Done when the job the request enqueued has run again and ended, and no bulletin job is left to run.
            await WaitAsync(async () => await JobStateAsync(database, job) is "Succeeded" or "Failed"
                                        && await ScalarAsync<long>(database, "select count(*) from hangfire.job where statename in ('Enqueued', 'Processing', 'Scheduled')") == 0,
                "the resend job run again after the kill and every job finished");
            var performed = await ScalarAsync<long>(database, "select count(*) from hangfire.state where jobid = @job and name = 'Processing'", new { job });

            var messages = relay.Messages.ToList();
            var byMember = Emails.ToDictionary(e => e, e => messages.Where(m => m.To.Mailboxes.Single().Address == e).ToList());
            var runs = await RunsAsync(database);
            output.WriteLine($"after restart: job {job} performed {performed} times; runs (kind/copy) {string.Join(", ", runs)}; {messages.Count} messages for {Members} members, " +
                             $"{byMember.Count(p => p.Value.Select(m => m.MessageId).Distinct().Count() > 1)} members with more than one copy; {watch.Elapsed.TotalSeconds:0.0} s");
            Assert.True(performed >= 2, $"the test proved nothing: Hangfire did not run the job again ({performed} performance)");

            // Each member: that copy, and only that copy — a repeat carries the same Message-Id (the crash's one in flight).
            var wrong = byMember
                .Where(p => p.Value.Select(m => m.MessageId).Distinct().Count() != 1 || p.Value.Any(m => m.Headers["X-NTM-Resend"] != "1"))
                .Select(p => $"{p.Key}: {(p.Value.Count == 0 ? "nothing" : string.Join(" + ", p.Value.Select(m => "copy " + m.Headers["X-NTM-Resend"])))}")
                .ToList();
            Assert.True(wrong.Count == 0, $"{wrong.Count} of {Members} members did not get copy 1 once: {string.Join("; ", wrong)}");
            Assert.Equal(["bulletin/1"], runs);
            Assert.All(await LedgerAsync(database), d => Assert.Equal("sent", d.Status));
            Assert.InRange(messages.Count - Members, 0, 1);   // at most the one message the relay had when A died
        }
        finally
        {
            output.WriteLine(a.Output);
            output.WriteLine(restarted.Output);
        }
    }

    [Fact]
    public async Task A_run_whose_worker_died_is_continued_after_about_one_lease_not_after_the_invisibility_timeout()
    {
        await using var relay = BulletinProcesses.SlowRelay(RelayDelay);
        using var reference = BulletinProcesses.ManyMembers(Emails);
        var database = await postgres.CreateDatabaseAsync();
        // Production's invisibility timeout (5 min): Hangfire will not bring the dead worker's job back during this test.
        var settings = new Dictionary<string, string> { ["Jobs:InvisibilityTimeout"] = "00:05:00", ["Jobs:DeliveryLease"] = "00:00:03" };

        // Two workers up before the run: the one that runs the job is killed, the other one is the survivor that must notice.
        await using var a = BulletinProcesses.Worker("A", database, reference, relay, settings);
        await using var b = BulletinProcesses.Worker("B", database, reference, relay, settings);
        try
        {
            await Task.WhenAll(a.WaitReadyAsync(Generous), b.WaitReadyAsync(Generous));
            var job = await BulletinProcesses.SendBulletinAsync(a, "");
            await WaitAsync(() => Task.FromResult(relay.Messages.Count >= 6 && relay.InFlight == 1), "6 messages at the relay and one in flight");
            var server = await ScalarAsync<string>(database,
                "select data::jsonb ->> 'ServerId' from hangfire.state where jobid = @job and name = 'Processing' order by id limit 1", new { job });
            var (victim, survivor) = server.Contains($":{a.Pid}:", StringComparison.Ordinal) ? (a, b) : (b, a);
            victim.Kill();
            var killed = Stopwatch.StartNew();
            Assert.True(await victim.WaitForExitAsync(Generous), $"{victim.Name} did not die on SIGKILL");
            var atKill = relay.Messages.Count;
            // The first message after the kill that is not the one the relay already had: the run is moving again.
            await WaitAsync(() => Task.FromResult(relay.Messages.Count > atKill + 1), "the run continued after the kill");
            var resumed = killed.Elapsed;

            await WaitAsync(async () => (await LedgerAsync(database)).All(d => d.Status is "sent" or "failed"), "every delivery of the run sent after the kill");
            var recovered = killed.Elapsed;
            var last = relay.Messages.Count;

            // The run was finished by a job the sweep enqueued: the request's job is still "Processing" on the dead worker.
            Assert.Equal("Processing", await JobStateAsync(database, job));
            var jobs = await ScalarAsync<long>(database, "select count(*) from hangfire.job where invocationdata::jsonb ->> 'Type' like '%BulletinJob%'");
            Assert.True(jobs >= 2, $"no other bulletin job than the request's ({jobs})");
            var messages = relay.Messages.ToList();
            var ledger = await LedgerAsync(database);
            foreach (var email in Emails)
            {
                var row = ledger.Single(d => d.Email == email);
                var copies = messages.Where(m => m.To.Mailboxes.Single().Address == email).ToList();
                Assert.NotEmpty(copies);
                Assert.All(copies, m => Assert.Equal(row.MessageId, m.MessageId));
            }
            Assert.InRange(messages.Count - Members, 0, 1);
            output.WriteLine($"SIGKILL of {victim.Name}, which ran the job, after {atKill}/{Members} messages; {survivor.Name}'s sweep continued the run " +
                             $"(lease 3 s, invisibility timeout 5 min): sending again {resumed.TotalSeconds:0.0} s after the kill, all {Members} served after " +
                             $"{recovered.TotalSeconds:0.0} s, {last} messages, {messages.Count - Members} repeat(s) with the same Message-Id");
        }
        finally
        {
            output.WriteLine(a.Output);
            output.WriteLine(b.Output);
        }
    }

    [Fact]
    public async Task Two_workers_started_together_on_an_empty_database_log_no_error()
    {
        await using var relay = BulletinProcesses.SlowRelay(RelayDelay);
        using var reference = BulletinProcesses.ManyMembers(Emails);
        // A few empty databases in a row: the race of two installs is won or lost by milliseconds.
        for (var round = 1; round <= 3; round++)
        {
            var database = await postgres.CreateDatabaseAsync();
            await using var a = BulletinProcesses.Worker($"A{round}", database, reference, relay, new Dictionary<string, string>(), deferred: true);
            await using var b = BulletinProcesses.Worker($"B{round}", database, reference, relay, new Dictionary<string, string>(), deferred: true);
            a.Launch();
            b.Launch();
            try
            {
                await Task.WhenAll(a.WaitReadyAsync(Generous), b.WaitReadyAsync(Generous));
                await WaitAsync(async () => await ScalarAsync<long>(database, "select count(*) from hangfire.server") == 2, "two Hangfire servers");
                // A moment for anything started in the background (the job server, the sweep) to have run once.
                await WaitAsync(() => Task.FromResult(a.Output.Contains("Application started") && b.Output.Contains("Application started")), "both started");
                var errors = (a.Output + b.Output).Split('\n').Where(l => Regex.IsMatch(l, @"\s(fail|crit): ")).Select(l => l.Length > 300 ? l[..300] : l).ToList();
                output.WriteLine($"round {round}: 2 workers ready on an empty database, {errors.Count} error line(s); " +
                                 $"Hangfire schema version {await ScalarAsync<int>(database, "select max(version) from hangfire.schema")}");
                Assert.True(errors.Count == 0, $"error lines in the logs:\n{string.Join("\n", errors)}");
                Assert.Equal(3, await ScalarAsync<long>(database, "select count(*) from hangfire.set where key = 'recurring-jobs'"));
            }
            finally
            {
                output.WriteLine(a.Output);
                output.WriteLine(b.Output);
            }
        }
    }

    private static async Task<List<string>> RunsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        return (await connection.QueryAsync<string>("select kind || '/' || copy from mail_runs order by id")).ToList();
    }

    private static Task WaitAsync(Func<Task<bool>> done, string what) => Poll.UntilAsync(done, Generous, what);
}
