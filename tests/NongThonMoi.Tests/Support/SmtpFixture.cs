using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace NongThonMoi.Tests.Support;

/// <summary>
/// A real SMTP server in the test process (the SmtpServer package) on a free loopback port. It keeps every
/// message it accepts and can be told to refuse some, as a relay would: 451 for the next N, 550 for one address.
/// </summary>
public sealed class SmtpFixture : IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _server;
    private readonly Store _store = new();

    public int Port { get; private set; }

    public IReadOnlyCollection<MimeMessage> Messages => _store.Messages.ToArray();

    /// <summary>The next <paramref name="count"/> messages are answered 451 (try again later).</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _store.TransientFailures, count);

    /// <summary>
    /// How long each accepted message takes before the 250 goes back: a slow relay, so that a run is really in flight
    /// for a few seconds. The message is kept even if the client vanishes meanwhile (the relay has it; the sender
    /// never heard so), which is how a crash turns into a repeat.
    /// </summary>
    public TimeSpan Delay
    {
        get => _store.Delay;
        set => _store.Delay = value;
    }

    /// <summary>Messages received but not answered yet (inside <see cref="Delay"/>): the hand-overs in flight.</summary>
    public int InFlight => Volatile.Read(ref _store.InFlight);

    /// <summary>The most messages the relay held at once since the last <see cref="Reset"/>: sessions that sent in parallel.</summary>
    public int MaxInFlight => Volatile.Read(ref _store.MaxInFlight);

    /// <summary>Messages to this address are answered 550 (mailbox unavailable).</summary>
    public void Refuse(string address) => _store.Refused[address.ToLowerInvariant()] = true;

    public void Reset()
    {
        _store.Messages.Clear();
        _store.Refused.Clear();
        Interlocked.Exchange(ref _store.TransientFailures, 0);
        Interlocked.Exchange(ref _store.MaxInFlight, 0);
    }

    public IReadOnlyList<MimeMessage> To(string address) =>
        Messages.Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase))).ToList();

    public Task InitializeAsync()
    {
        Start(FreePort());
        return Task.CompletedTask;
    }

    /// <summary>A loopback port nobody listens on (yet): a relay that is down.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>A second server on a given port, for a relay that comes up while the worker is already trying.</summary>
    public static SmtpFixture StartOn(int port)
    {
        var server = new SmtpFixture();
        server.Start(port);
        return server;
    }

    private void Start(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder().ServerName("localhost").Endpoint(e => e.Port(Port).Endpoint(new IPEndPoint(IPAddress.Loopback, Port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(_store);
        _server = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_server is not null) await Task.WhenAny(_server, Task.Delay(5000));
    }

    private sealed class Store : MessageStore
    {
        public readonly ConcurrentQueue<MimeMessage> Messages = new();
        public readonly ConcurrentDictionary<string, bool> Refused = new();
        public int TransientFailures;
        public TimeSpan Delay;
        public int InFlight;
        public int MaxInFlight;

        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction,
            ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (transaction.To.Any(t => Refused.ContainsKey($"{t.User}@{t.Host}".ToLowerInvariant())))
                return new SmtpResponse(SmtpReplyCode.MailboxUnavailable, "mailbox unavailable");
            for (var n = Volatile.Read(ref TransientFailures); n > 0; n = Volatile.Read(ref TransientFailures))
            {
                if (Interlocked.CompareExchange(ref TransientFailures, n - 1, n) == n)
                    return new SmtpResponse((SmtpReplyCode)451, "local error in processing, try again later");
            }
            await using var stream = new MemoryStream(buffer.ToArray());
            var now = Interlocked.Increment(ref InFlight);
            for (var max = Volatile.Read(ref MaxInFlight); now > max && Interlocked.CompareExchange(ref MaxInFlight, now, max) != max; max = Volatile.Read(ref MaxInFlight)) { }
            try
            {
                if (Delay > TimeSpan.Zero) await Task.Delay(Delay, CancellationToken.None);
                Messages.Enqueue(await MimeMessage.LoadAsync(stream, CancellationToken.None));
            }
            finally
            {
                Interlocked.Decrement(ref InFlight);
            }
            return SmtpResponse.Ok;
        }
    }
}
