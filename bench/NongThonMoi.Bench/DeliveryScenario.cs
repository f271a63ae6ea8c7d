using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Npgsql;

namespace NongThonMoi.Bench;

/// <summary>
/// The bulletin run of one period as an admin starts it: <c>POST /api/admin/bulletins/send</c> to a worker process, whose
/// job server runs the BulletinJob (delivery ledger, per-committee rendering, Smtp:Connections sessions); timed from the
/// request to the last message the SMTP server accepted, the ledger telling when nothing is left open. The limit: the
/// very messages the server received, sent again by bare MailKit loops in the bench on as many connections.
/// </summary>
public static class DeliveryScenario
{
    public sealed record Outcome(int Messages, TimeSpan Elapsed, int LimitMessages, TimeSpan LimitSendTime, long Bytes, int LimitReconnects, string? Failure)
    {
        public double PerSecond => Messages / Elapsed.TotalSeconds;
        public double LimitPerSecond => LimitMessages / LimitSendTime.TotalSeconds;

        /// <summary>SMTP connections of the worker's run and of the limit loop alike.</summary>
        public int Connections { get; init; } = 1;

        /// <summary>The processes' CPU shares from the request to the last message (the limit loop after it not included).</summary>
        public CpuShares.Outcome? Cpu { get; init; }

        /// <summary>Which worker process ran the run's job (from Hangfire's Processing state).</summary>
        public string RanOn { get; init; } = "";

        /// <summary>From the job's enqueueing (by the request) to its start in a worker's job server: part of <see cref="Elapsed"/>.</summary>
        public TimeSpan Pickup { get; init; }

        /// <summary>Every job started from the request to the end of the run, by worker process (the run's own included).</summary>
        public string JobsMeanwhile { get; init; } = "";
    }

    /// <param name="resend">the next copy of a run already sent (a second run of the same period)</param>
    /// <param name="withLimit">also send the received messages again by the bare loop</param>
    /// <param name="cpu">the processes whose CPU shares are taken during the run</param>
    public static async Task<Outcome> RunAsync(BenchHost host, WorkerProcess worker, string period, string workDirectory, bool resend, bool withLimit,
        CpuShares cpu)
    {
        var received = Path.Combine(workDirectory, "mail-worker");
        var bare = Path.Combine(workDirectory, "mail-bare");
        var expected = (await host.Get<NongThonMoi.Programme.ReferenceStore>().LoadAsync(CancellationToken.None)).Committees.Sum(c => c.Members.Count);
        var mark = await host.JobMarkAsync();
        host.Smtp.Deliver(received);

        var window = cpu.Start();
        var start = Stopwatch.GetTimestamp();
        using var admin = worker.Admin();
        using var answer = await admin.PostAsync($"/api/admin/bulletins/send?period={period}{(resend ? "&resend=true" : "")}", null);
        var text = await answer.Content.ReadAsStringAsync();
        if (answer.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"bulletin send answered {(int)answer.StatusCode}: {text}");
        string jobId;
        long runId;
        using (var doc = JsonDocument.Parse(text))
        {
            jobId = doc.RootElement.GetProperty("job_id").GetString()!;
            runId = doc.RootElement.GetProperty("run_id").GetInt64();
        }
        var failure = await WaitForRunAsync(host, runId, jobId, expected, TimeSpan.FromMinutes(15));
        var shares = window.Stop();
        var messages = host.Smtp.Received;
        var elapsed = messages > 0 ? Stopwatch.GetElapsedTime(start, host.Smtp.LastReceivedAt) : Stopwatch.GetElapsedTime(start);
        var bytes = host.Smtp.Bytes;
        var ranOn = await host.JobsByWorkerAsync(mark, jobId);
        var allJobs = await host.JobsByWorkerAsync(mark);
        var pickup = await PickupAsync(host, jobId);

        var (limitMessages, sending, reconnects) = (0, TimeSpan.FromTicks(1), 0);
        if (withLimit)
        {
            host.Smtp.Deliver(bare);
            var files = Directory.GetFiles(received, "*.eml").Order(StringComparer.Ordinal).ToList();
            // The limit uses as many connections as the worker (Smtp:Connections), the files dealt round-robin to them; its
            // time is the slowest connection's sending time (parsing the stored messages is not sending them).
            var connections = BenchHost.SmtpConnections;
            var lanes = await Task.WhenAll(Enumerable.Range(0, connections).Select(lane => Task.Run(() =>
                BareLaneAsync(host.Smtp.Port, files.Where((_, i) => i % connections == lane).ToList()))));
            sending = lanes.Max(l => l.Sending);
            reconnects = lanes.Sum(l => l.Reconnects);
            limitMessages = host.Smtp.Received;
        }
        try
        {
            Directory.Delete(received, true);
            if (Directory.Exists(bare)) Directory.Delete(bare, true);
        }
        catch (IOException) { }
        return new Outcome(messages, elapsed, limitMessages, sending, bytes, reconnects, failure) { Connections = BenchHost.SmtpConnections, RanOn = ranOn, JobsMeanwhile = allJobs, Cpu = shares, Pickup = pickup };
    }

    /// <summary>
    /// Polls the run's ledger rows until every one is settled (sent or failed) and the SMTP server holds every sent message;
    /// null when all were sent, else what failed. A job that ended Failed in Hangfire stops the wait too.
    /// </summary>
    private static async Task<string?> WaitForRunAsync(BenchHost host, long runId, string jobId, int expected, TimeSpan max)
    {
        await using var connection = new NpgsqlConnection(host.ConnectionString);
        await connection.OpenAsync();
        await using var ledger = new NpgsqlCommand("""
            select count(*) filter (where status in ('pending', 'sending')), count(*) filter (where status = 'sent'),
                   count(*) filter (where status = 'failed'), count(*), min(last_error) filter (where status = 'failed'),
                   (select statename from hangfire.job where id = @job::bigint)
            from deliveries where run_id = @run
            """, connection);
        ledger.Parameters.AddWithValue("run", runId);
        ledger.Parameters.AddWithValue("job", jobId);
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < max)
        {
            await using (var r = await ledger.ExecuteReaderAsync())
            {
                await r.ReadAsync();
                var (open, sent, failed, total) = (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3));
                var error = r.IsDBNull(4) ? null : r.GetString(4);
                var state = r.IsDBNull(5) ? null : r.GetString(5);
                if (total >= expected && open == 0 && host.Smtp.Received >= sent)
                    return failed == 0 ? null : $"{failed} of {total} failed, e.g. {error}";
                if (state == "Failed") return $"the job failed in Hangfire with {open} open, {sent} sent, {failed} failed of {total}";
            }
            // The run's end is the SMTP server's own timestamp of its last message, so the poll need not be fast; a
            // count over the run's rows 50 times a second would be load on PostgreSQL during the measure.
            await Task.Delay(100);
        }
        return $"not settled after {max.TotalMinutes.ToString("0", CultureInfo.InvariantCulture)} min ({host.Smtp.Received} messages received of {expected})";
    }

    /// <summary>The time between the job's Enqueued and Processing states, both stamped by PostgreSQL's clock.</summary>
    private static async Task<TimeSpan> PickupAsync(BenchHost host, string jobId)
    {
        await using var connection = new NpgsqlConnection(host.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            select extract(epoch from (select min(createdat) from hangfire.state where jobid = @job::bigint and name = 'Processing')
                                    - (select min(createdat) from hangfire.state where jobid = @job::bigint and name = 'Enqueued'))::float8
            """, connection);
        command.Parameters.AddWithValue("job", jobId);
        return await command.ExecuteScalarAsync() is double seconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero;
    }

    /// <summary>One bare MailKit connection sending its share of the stored messages; only <c>SendAsync</c> (and a reconnect it needs) is timed.</summary>
    private static async Task<(TimeSpan Sending, int Reconnects)> BareLaneAsync(int port, IReadOnlyList<string> files)
    {
        using var client = new SmtpClient();
        // As the worker connects (MailTransport): Nagle's algorithm off, or small messages wait for delayed ACKs.
        async Task ConnectAsync()
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync("127.0.0.1", port);
            await client.ConnectAsync(socket, "127.0.0.1", port, SecureSocketOptions.None);
        }
        await ConnectAsync();
        var sending = TimeSpan.Zero;
        var reconnects = 0;
        foreach (var file in files)
        {
            var message = await MimeMessage.LoadAsync(file);
            var start = Stopwatch.GetTimestamp();
            try
            {
                await client.SendAsync(message);
            }
            catch (Exception e) when (e is SmtpProtocolException or IOException or MailKit.ServiceNotConnectedException)
            {
                // The SMTP server drops a long session now and then; the worker's ledger reconnects too.
                reconnects++;
                if (client.IsConnected) await client.DisconnectAsync(false);
                await ConnectAsync();
                await client.SendAsync(message);
            }
            sending += Stopwatch.GetElapsedTime(start);
        }
        await client.DisconnectAsync(true);
        return (sending, reconnects);
    }
}
