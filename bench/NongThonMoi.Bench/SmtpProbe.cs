using System.Diagnostics;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace NongThonMoi.Bench;

/// <summary><c>--smtp-probe</c>: the in-process SMTP server with a bare MailKit loop, Nagle on and off (a profiling aid).</summary>
public static class SmtpProbe
{
    public static async Task RunAsync()
    {
        await using var smtp = new BenchSmtp();
        smtp.Deliver(Path.Combine(Path.GetTempPath(), "ntm-smtp-probe"));
        // The bulletin's size before (≈ 130 KB as sent) and after the palette charts (≈ 64 KB): a smaller message can meet
        // the delayed ACK of a small last write where a larger one streams past it.
        foreach (var attachment in new[] { 90_000, 30_000 })
            foreach (var noDelay in new[] { false, true })
            {
                var body = new BodyBuilder { TextBody = new string('x', 5000), HtmlBody = "<p>" + new string('y', 20000) + "</p>" };
                body.Attachments.Add("a.bin", new byte[attachment], new ContentType("application", "octet-stream"));
                var message = new MimeMessage { Subject = "probe", Body = body.ToMessageBody() };
                message.From.Add(MailboxAddress.Parse("a@bench.example.vn"));
                message.To.Add(MailboxAddress.Parse("b@bench.example.vn"));
                using var client = new SmtpClient();
                if (noDelay)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync("127.0.0.1", smtp.Port);
                    await client.ConnectAsync(socket, "127.0.0.1", smtp.Port, SecureSocketOptions.None);
                }
                else await client.ConnectAsync("127.0.0.1", smtp.Port, SecureSocketOptions.None);
                for (var block = 0; block < 4; block++)
                {
                    var watch = Stopwatch.StartNew();
                    for (var i = 0; i < 100; i++) await client.SendAsync(message);
                    Console.WriteLine($"attachment {attachment} B, NoDelay={noDelay}, messages {block * 100}..{block * 100 + 99}: {watch.Elapsed.TotalMilliseconds / 100:0.0} ms per message");
                }
                await client.DisconnectAsync(true);
            }
        Directory.Delete(Path.Combine(Path.GetTempPath(), "ntm-smtp-probe"), true);
    }
}
