using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace NongThonMoi.Infrastructure.Mail;

/// <summary>A failed hand-over of one message. Transient failures (4xx, connection) are worth retrying; permanent (5xx) are not.</summary>
public sealed class MailDeliveryException(string message, bool permanent, Exception? inner = null) : Exception(message, inner)
{
    public bool Permanent { get; } = permanent;
}

/// <summary>One worker's connection to the relay, reused for many messages; not thread-safe.</summary>
public interface IMailSession : IAsyncDisposable
{
    Task SendAsync(MimeMessage message, CancellationToken ct);
}

public interface IMailTransport
{
    IMailSession OpenSession();

    MailboxAddress From { get; }
}

internal sealed class MailTransport(IOptions<SmtpOptions> options, ILogger<MailTransport> logger) : IMailTransport
{
    public MailboxAddress From => MailboxAddress.Parse(options.Value.From);

    public IMailSession OpenSession() => options.Value.UsesPickupDirectory
        ? new PickupSession(Paths.FromWorkingDirectory(options.Value.PickupDirectory))
        : new SmtpSession(options.Value, logger);

    /// <summary>Writes each message to a temporary name, then renames it: a reader never sees half a file.</summary>
    private sealed class PickupSession(string directory) : IMailSession
    {
        public async Task SendAsync(MimeMessage message, CancellationToken ct)
        {
            Directory.CreateDirectory(directory);
            // Named by Message-Id: a repeat after a crash overwrites the same file instead of adding a copy.
            var name = string.Concat((message.MessageId ?? Guid.NewGuid().ToString("N")).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_'));
            var final = Path.Combine(directory, name + ".eml");
            var temp = Path.Combine(directory, $".{name}.{Guid.NewGuid():N}.tmp");
            await using (var stream = File.Create(temp))
                await message.WriteToAsync(FormatOptions.Default, stream, ct);
            File.Move(temp, final, overwrite: true);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class SmtpSession(SmtpOptions options, ILogger logger) : IMailSession
    {
        private readonly SmtpClient _client = new() { Timeout = 60_000 };

        public async Task SendAsync(MimeMessage message, CancellationToken ct)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    await _client.ConnectAsync(await OpenSocketAsync(ct), options.Host!, options.Port, Enum.Parse<SecureSocketOptions>(options.Security), ct);
                    if (!string.IsNullOrEmpty(options.User)) await _client.AuthenticateAsync(options.User, options.Password ?? "", ct);
                    logger.LogDebug("Connected to the mail relay {Host}:{Port}", options.Host, options.Port);
                }
                await _client.SendAsync(message, ct);
            }
            catch (SmtpCommandException e)
            {
                var code = (int)e.StatusCode;
                throw new MailDeliveryException($"{code} {e.Message}", permanent: code >= 500, e);
            }
            catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException or ServiceNotConnectedException or TimeoutException
                                          or AuthenticationException or SslHandshakeException)
            {
                await DisconnectQuietlyAsync();
                throw new MailDeliveryException($"{e.GetType().Name}: {e.Message}", permanent: false, e);
            }
        }

        /// <summary>
        /// The connection to the relay with Nagle's algorithm off (MailKit takes the socket over). A message ends with small
        /// writes (the last line, <c>.</c>, the next command), and with Nagle on each waited for the relay's delayed ACK, 40 ms
        /// on Linux: measured with <c>bench … --smtp-probe</c>, a 30 KB message took 88 ms on one connection with Nagle on and
        /// 44 ms with it off, a 90 KB one 50–60 ms and 44 ms — the smaller bulletins of the palette charts were slower to send
        /// until this (BENCHMARKS.md).
        /// </summary>
        private async Task<Socket> OpenSocketAsync(CancellationToken ct)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }; // dual mode: IPv4 and IPv6 alike
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(_client.Timeout);
                await socket.ConnectAsync(options.Host!, options.Port, timeout.Token);
                return socket;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                socket.Dispose();
                throw new TimeoutException($"no connection to {options.Host}:{options.Port} within {_client.Timeout / 1000} s");
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        private async Task DisconnectQuietlyAsync()
        {
            try { if (_client.IsConnected) await _client.DisconnectAsync(quit: false, CancellationToken.None); }
            catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException) { }
        }

        public async ValueTask DisposeAsync()
        {
            try { if (_client.IsConnected) await _client.DisconnectAsync(quit: true, CancellationToken.None); }
            catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException or SmtpCommandException) { }
            _client.Dispose();
        }
    }
}

public static class MailExtensions
{
    public static WebApplicationBuilder AddMail(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>();
        builder.Services.AddSingleton<IMailTransport, MailTransport>();
        builder.Services.AddSingleton<DeliveryLedger>();
        builder.Services.AddScoped<RunSender>();
        return builder;
    }
}
