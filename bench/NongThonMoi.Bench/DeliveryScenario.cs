using System.Diagnostics;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using NongThonMoi.Bulletins;
using NongThonMoi.Infrastructure.Mail;

namespace NongThonMoi.Bench;

/// <summary>
/// The bulletin run of one period through the worker's BulletinJob (delivery ledger, per-committee rendering, one SMTP
/// connection), and the limit: the very messages the server received, sent again by a bare MailKit loop on one connection.
/// </summary>
public static class DeliveryScenario
{
    public sealed record Outcome(int Messages, TimeSpan Elapsed, int LimitMessages, TimeSpan LimitSendTime, long Bytes, int LimitReconnects, string? Failure)
    {
        public double PerSecond => Messages / Elapsed.TotalSeconds;
        public double LimitPerSecond => LimitMessages / LimitSendTime.TotalSeconds;
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
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", host.Smtp.Port, SecureSocketOptions.None);
        var sending = TimeSpan.Zero;
        var reconnects = 0;
        foreach (var file in files)
        {
            // Parsing the stored message is not sending it: only SendAsync (and a reconnect it needs) is timed.
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
                await client.ConnectAsync("127.0.0.1", host.Smtp.Port, SecureSocketOptions.None);
                await client.SendAsync(message);
            }
            sending += Stopwatch.GetElapsedTime(start);
        }
        await client.DisconnectAsync(true);
        var limitMessages = host.Smtp.Received;
        try
        {
            Directory.Delete(worker, true);
            Directory.Delete(bare, true);
        }
        catch (IOException) { }
        return new Outcome(messages, watch.Elapsed, limitMessages, sending, bytes, reconnects, failure);
    }
}
