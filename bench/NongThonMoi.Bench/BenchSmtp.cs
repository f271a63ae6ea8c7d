using System.Buffers;
using System.Net;
using System.Net.Sockets;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace NongThonMoi.Bench;

/// <summary>
/// A real SMTP server (the SmtpServer package, as in the tests) on a loopback port. Each accepted message is written
/// verbatim to the current mailbox folder and counted; the same work for the worker's run and for the bare loop.
/// </summary>
public sealed class BenchSmtp : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _server;
    private readonly Store _store = new();

    public int Port { get; }

    public BenchSmtp()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var options = new SmtpServerOptionsBuilder().ServerName("localhost")
            .Endpoint(e => e.Port(Port).Endpoint(new IPEndPoint(IPAddress.Loopback, Port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(_store);
        _server = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    public int Received => Volatile.Read(ref _store.Count);

    public long Bytes => Interlocked.Read(ref _store.Bytes);

    /// <summary>When the last message was accepted (a <see cref="System.Diagnostics.Stopwatch"/> timestamp): the end of a run.</summary>
    public long LastReceivedAt => Interlocked.Read(ref _store.LastAt);

    /// <summary>From now on messages go to <paramref name="directory"/>; the counters restart.</summary>
    public void Deliver(string directory)
    {
        Directory.CreateDirectory(directory);
        _store.Directory = directory;
        Interlocked.Exchange(ref _store.Count, 0);
        Interlocked.Exchange(ref _store.Bytes, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAny(_server, Task.Delay(5000));
    }

    private sealed class Store : MessageStore
    {
        public volatile string Directory = Path.GetTempPath();
        public int Count;
        public long Bytes;
        public long LastAt;

        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction,
            ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref Count);
            Interlocked.Add(ref Bytes, buffer.Length);
            Interlocked.Exchange(ref LastAt, System.Diagnostics.Stopwatch.GetTimestamp());
            if (Environment.GetEnvironmentVariable("PROBE_NOWRITE") == "1") return SmtpResponse.Ok;
            await using var file = File.Create(Path.Combine(Directory, $"{n:00000}.eml"));
            foreach (var segment in buffer) await file.WriteAsync(segment, cancellationToken);
            return SmtpResponse.Ok;
        }
    }
}
