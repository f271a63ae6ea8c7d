using System.Diagnostics;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using NongThonMoi.Bulletins;
using NongThonMoi.Infrastructure.Mail;

namespace NongThonMoi.Bench;

/// <summary>
/// The bulletin run of one period through the worker's BulletinJob (delivery ledger, per-committee rendering,
/// Smtp:Connections sessions), and the limit: the very messages the server received, sent again by bare MailKit loops on
/// as many connections.
/// </summary>
public static class DeliveryScenario
{
    public sealed record Outcome(int Messages, TimeSpan Elapsed, int LimitMessages, TimeSpan LimitSendTime, long Bytes, int LimitReconnects, string? Failure)
    {
        public double PerSecond => Messages / Elapsed.TotalSeconds;
        public double LimitPerSecond => LimitMessages / LimitSendTime.TotalSeconds;

        /// <summary>SMTP connections of the worker's run and of the limit loop alike.</summary>
        public int Connections { get; init; } = 1;
    }

    public static async Task<Outcome> RunAsync(BenchHost host, string period, string workDirectory)
    {
        var worker = Path.Combine(workDirectory, "mail-worker");
        var bare = Path.Combine(workDirectory, "mail-bare");
        host.Smtp.Deliver(worker);
        var watch = Stopwatch.StartNew();
        string? failure = null;
        try
        {
            await host.InScopeAsync<BulletinJob, NongThonMoi.Infrastructure.Mail.RunResult>(j => j.SendAsync(period, null, false, CancellationToken.None));
        }
        catch (DeliveryFailuresException e)
        {
            // A relay's permanent refusal ends as "failed" in the ledger, as it should; the scenario reports it, it does not stop.
            failure = e.Message;
        }
        watch.Stop();
        var messages = host.Smtp.Received;
        var bytes = host.Smtp.Bytes;

        host.Smtp.Deliver(bare);
        var files = Directory.GetFiles(worker, "*.eml").Order(StringComparer.Ordinal).ToList();
        // The limit uses as many connections as the worker (Smtp:Connections), the files dealt round-robin to them; its time
        // is the slowest connection's sending time (parsing the stored messages is not sending them).
        var connections = host.Get<Microsoft.Extensions.Options.IOptions<SmtpOptions>>().Value.Connections;
        var lanes = await Task.WhenAll(Enumerable.Range(0, connections).Select(lane => Task.Run(() =>
            BareLaneAsync(host.Smtp.Port, files.Where((_, i) => i % connections == lane).ToList()))));
        var sending = lanes.Max(l => l.Sending);
        var reconnects = lanes.Sum(l => l.Reconnects);
        var limitMessages = host.Smtp.Received;
        try
        {
            Directory.Delete(worker, true);
            Directory.Delete(bare, true);
        }
        catch (IOException) { }
        return new Outcome(messages, watch.Elapsed, limitMessages, sending, bytes, reconnects, failure) { Connections = connections };
    }

    /// <summary>One bare MailKit connection sending its share of the stored messages; only <c>SendAsync</c> (and a reconnect it needs) is timed.</summary>
    private static async Task<(TimeSpan Sending, int Reconnects)> BareLaneAsync(int port, IReadOnlyList<string> files)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
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
                await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
                await client.SendAsync(message);
            }
            sending += Stopwatch.GetElapsedTime(start);
        }
        await client.DisconnectAsync(true);
        return (sending, reconnects);
    }
}
