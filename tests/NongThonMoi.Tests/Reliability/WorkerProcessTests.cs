using System.Diagnostics;
using System.Text.RegularExpressions;
using NongThonMoi.Tests.Support;
using Xunit.Abstractions;
using static NongThonMoi.Tests.Support.LedgerQueries;

namespace NongThonMoi.Tests.Reliability;

/// <summary>
/// The real worker as separate OS processes on one database, against a slow relay so that a bulletin run is really in
/// flight: killed with SIGKILL mid-run and started again, stopped with SIGTERM mid-run, and two of them at once.
/// Nobody is served twice except where a crash made it unavoidable (then with the same Message-Id), no job is lost.
///
/// The workers run with short <c>Jobs:*</c> times (production: a dead worker's job is taken over after 5 minutes, a
/// claimed delivery is reserved for 2); the mechanisms are the same, only the waiting is shorter.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class WorkerProcessTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const int Members = 32;

    /// <summary>Per message at the relay: 32 members take about 8 s, a batch of 20 longer than the lease below.</summary>
    private static readonly TimeSpan RelayDelay = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);

    private static readonly string[] Emails = Enumerable.Range(1, Members).Select(i => $"member{i:00}@proc.example.vn").ToArray();

    [Fact]
    public async Task A_worker_killed_mid_run_and_another_started_completes_the_run_repeating_at_most_the_message_in_flight()
    {
        var watch = Stopwatch.StartNew();
        await using var relay = BulletinProcesses.SlowRelay(RelayDelay);
        using var reference = BulletinProcesses.ManyMembers(Emails);
        var database = await postgres.CreateDatabaseAsync();

        await using var a = Start("A", database, reference, relay);
        await using var b = Start("B", database, reference, relay, deferred: true);
        try
        {
            await a.WaitReadyAsync(Generous);
            var job = await BulletinProcesses.SendBulletinAsync(a);
            // A second worker comes up while A is sending (a standby, or the replacement an orchestrator starts); nothing
            // is asked of it: Hangfire hands it the dead worker's job once the job's invisibility timeout has passed,
            // and the rows A had claimed are free again by then (their lease ran out).
            b.Launch();
            // Killed while a message is at the relay and its 250 has not come back yet: the relay keeps it, the ledger
            // row stays 'sending' — the one repeat a crash makes unavoidable.
            await WaitAsync(() => Task.FromResult(relay.Messages.Count >= 6 && relay.InFlight == 1), "6 messages at the relay and one in flight");

            a.Kill();
            Assert.True(await a.WaitForExitAsync(Generous), "A did not die on SIGKILL");
            var atKill = relay.Messages.Count;
            var ledgerAtKill = await StatusesAsync(database);
            output.WriteLine($"SIGKILL after {atKill}/{Members} messages at the relay; ledger then: {Format(ledgerAtKill)}");
            Assert.InRange(atKill, 1, Members - 1);

            await b.WaitReadyAsync(Generous);
            await WaitAsync(async () => await JobStateAsync(database, job) is "Succeeded" or "Failed", "the job taken over and finished");
            Assert.Equal("Succeeded", await JobStateAsync(database, job));

            var ledger = await LedgerAsync(database);
            Assert.Equal(Members, ledger.Count);
            Assert.All(ledger, d => Assert.Equal("sent", d.Status));
            var messages = relay.Messages.ToList();
            var byMember = Emails.ToDictionary(e => e, e => messages.Where(m => m.To.Mailboxes.Single().Address == e).ToList());
            Assert.All(byMember, p => Assert.NotEmpty(p.Value));   // everyone served
            foreach (var (email, copies) in byMember)
            {
                // A repeat is the same message: the Message-Id the ledger gave that member, never a new one.
                var row = ledger.Single(d => d.Email == email);
                Assert.All(copies, m => Assert.Equal(row.MessageId, m.MessageId));
            }
            var repeats = messages.Count - Members;
            output.WriteLine($"after restart: {byMember.Count(p => p.Value.Count > 0)}/{Members} members served, {messages.Count} messages, " +
                             $"{repeats} repeat(s) with the same Message-Id, {watch.Elapsed.TotalSeconds:0.0} s");
            // One SMTP connection, one message in flight when A died: at most that one goes out twice (it nearly always
            // does; 0 only if the 250 slipped out between the check above and the kill).
            Assert.InRange(repeats, 0, 1);
        }
        finally
        {
            output.WriteLine(a.Output);
            output.WriteLine(b.Output);
        }
    }

    [Fact]
    public async Task A_worker_stopped_with_SIGTERM_mid_run_hands_back_what_it_has_not_sent_and_the_next_one_finishes_without_repeats()
    {
        var watch = Stopwatch.StartNew();
        await using var relay = BulletinProcesses.SlowRelay(RelayDelay);
        using var reference = BulletinProcesses.ManyMembers(Emails);
        var database = await postgres.CreateDatabaseAsync();
        var stop = new Dictionary<string, string> { ["Jobs:StopTimeout"] = "00:00:01", ["Jobs:ShutdownTimeout"] = "00:00:20" };

        await using var a = Start("A", database, reference, relay, extra: stop);
        await using var b = Start("B", database, reference, relay, deferred: true);
        try
        {
            await a.WaitReadyAsync(Generous);
            var job = await BulletinProcesses.SendBulletinAsync(a);
            await WaitAsync(() => Task.FromResult(relay.Messages.Count >= 6), "6 messages at the relay");

            var stopping = Stopwatch.StartNew();
            a.Terminate();
            // Hangfire lets the job run for StopTimeout (1 s here), then cancels it; ShutdownTimeout (20 s) bounds the rest.
            // A bound against a hang only: how long the stop takes is printed, not asserted (a busy machine can be slow).
            Assert.True(await a.WaitForExitAsync(Generous), "A did not stop after SIGTERM");
            stopping.Stop();
            Assert.Equal(0, a.ExitCode);
            var atStop = relay.Messages.Count;
            var statuses = await StatusesAsync(database);
            var released = Regex.Match(a.Output, @"released (\d+) claimed deliveries");
            output.WriteLine($"SIGTERM; exited with {a.ExitCode} after {stopping.Elapsed.TotalSeconds:0.0} s; {atStop}/{Members} messages at the relay; " +
                             $"log: \"{released.Value}\"; ledger: {Format(statuses)}");

            // Nothing left reserved to a worker that is gone: every row sent or back in the queue, and the log says so.
            Assert.False(statuses.ContainsKey("sending"), $"rows left 'sending' after a graceful stop: {Format(statuses)}");
            Assert.True(statuses.GetValueOrDefault("pending") > 0, "the run ended before the stop: the test proved nothing (relay too fast?)");
            Assert.True(released.Success, "no 'released N claimed deliveries' in the log");
            Assert.Equal(statuses.GetValueOrDefault("sent"), atStop);   // every message the relay took is marked, no other
            // The job is back in its queue, not lost and not waiting for an invisibility timeout.
            Assert.Equal(1, await ScalarAsync<long>(database, "select count(*) from hangfire.jobqueue where jobid = @job and fetchedat is null", new { job }));

            await b.Launch().WaitReadyAsync(Generous);
            await WaitAsync(async () => await JobStateAsync(database, job) is "Succeeded" or "Failed", "the requeued job finished");
            Assert.Equal("Succeeded", await JobStateAsync(database, job));

            var ledger = await LedgerAsync(database);
            Assert.All(ledger, d => Assert.Equal("sent", d.Status));
            foreach (var email in Emails) Assert.Single(relay.To(email));
            output.WriteLine($"after restart: {Emails.Count(e => relay.To(e).Count == 1)}/{Members} members served exactly once, " +
                             $"{relay.Messages.Count} messages, 0 duplicates; {watch.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            output.WriteLine(a.Output);
            output.WriteLine(b.Output);
        }
    }

    [Fact]
    public async Task Two_worker_processes_on_one_database_serve_each_member_once_and_register_the_recurring_jobs_once()
    {
        var watch = Stopwatch.StartNew();
        await using var relay = BulletinProcesses.SlowRelay(RelayDelay);
        using var reference = BulletinProcesses.ManyMembers(Emails);
        var database = await postgres.CreateDatabaseAsync();

        await using var a = Start("A", database, reference, relay);
        await using var b = Start("B", database, reference, relay);
        try
        {
            await a.WaitReadyAsync(Generous);
            await b.WaitReadyAsync(Generous);
            await WaitAsync(async () => await ScalarAsync<long>(database, "select count(*) from hangfire.server") == 2, "two Hangfire servers");
            Assert.Equal(3, await ScalarAsync<long>(database, "select count(*) from hangfire.set where key = 'recurring-jobs'"));

            // The run asked for on both workers: two jobs working through one ledger at the same time.
            var jobs = new[] { await BulletinProcesses.SendBulletinAsync(a), await BulletinProcesses.SendBulletinAsync(b) };
            foreach (var job in jobs)
                await WaitAsync(async () => await JobStateAsync(database, job) is "Succeeded" or "Failed", $"job {job} finished");
            foreach (var job in jobs) Assert.Equal("Succeeded", await JobStateAsync(database, job));

            var servers = new List<string>();
            foreach (var job in jobs)
                servers.Add(await ScalarAsync<string>(database,
                    "select data::jsonb ->> 'ServerId' from hangfire.state where jobid = @job and name = 'Processing' order by id limit 1", new { job }));
            // Both jobs were at work at the same time: each started processing before the other succeeded.
            var spans = new List<(DateTime Start, DateTime End)>();
            foreach (var job in jobs)
                spans.Add((await ScalarAsync<DateTime>(database, "select min(createdat) from hangfire.state where jobid = @job and name = 'Processing'", new { job }),
                           await ScalarAsync<DateTime>(database, "select max(createdat) from hangfire.state where jobid = @job and name = 'Succeeded'", new { job })));
            Assert.True(spans[0].Start < spans[1].End && spans[1].Start < spans[0].End, $"the two runs did not overlap: {string.Join(" / ", spans)}");
            // And both sent: each run's own count (logged by whichever process ran it) is above zero, and together they make every member.
            var sentByRun = Regex.Matches(a.Output + "\n" + b.Output, @"Run bulletin \S+ \(copy \d+\) finished: (\d+) sent")
                .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(2, sentByRun.Count);
            Assert.All(sentByRun, n => Assert.True(n > 0, $"a run sent nothing: {string.Join(", ", sentByRun)}"));
            Assert.Equal(Members, sentByRun.Sum());
            var ledger = await LedgerAsync(database);
            Assert.All(ledger, d => Assert.Equal("sent", d.Status));
            Assert.Equal(Members, ledger.Count);
            foreach (var email in Emails) Assert.Single(relay.To(email));
            Assert.Equal(Members, relay.Messages.Count);
            Assert.True(a.HasExited is false && b.HasExited is false, "a worker died during the run");
            output.WriteLine($"2 processes (pids {a.Pid}, {b.Pid}), 2 Hangfire servers, 3 recurring jobs; jobs processed by {string.Join(", ", servers)}; " +
                             $"{Members}/{Members} members served exactly once, {relay.Messages.Count} messages, " +
                             $"claims per row max {ledger.Max(d => d.Attempts)}; {watch.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            output.WriteLine(a.Output);
            output.WriteLine(b.Output);
        }
    }

    /// <summary>
    /// A dead worker's job is taken over after 8 s instead of 5 min; a claimed row is reserved 3 s instead of 2 min (shorter
    /// than a batch of 20 at the slow relay: a batch's last rows outlive the lease they were claimed with).
    /// </summary>
    private static WorkerProcess Start(string name, string database, TestReference reference, SmtpFixture relay,
        IReadOnlyDictionary<string, string>? extra = null, bool deferred = false)
    {
        var settings = new Dictionary<string, string> { ["Jobs:InvisibilityTimeout"] = "00:00:08", ["Jobs:DeliveryLease"] = "00:00:03" };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) settings[k] = v;
        return BulletinProcesses.Worker(name, database, reference, relay, settings, deferred);
    }

    /// <summary>Polls with a generous bound for a loaded 2-core machine.</summary>
    private static Task WaitAsync(Func<Task<bool>> done, string what) => Poll.UntilAsync(done, Generous, what);
}
