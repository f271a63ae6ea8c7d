using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NongThonMoi.Tests.Support;

/// <summary>
/// A TCP proxy in front of the in-process SMTP server that cuts the connection of the next <see cref="DropsLeft"/>
/// messages. <see cref="DropPoint.MidData"/>: it forwards the DATA command and the first
/// <see cref="BodyBytesBeforeDrop"/> bytes of the body, then closes both sockets; the server never sees the end of
/// the message (no "." line), so it stores nothing and the client never gets a 250 for it.
/// <see cref="DropPoint.BeforeReply"/>: the whole message goes through, the server stores it and answers 250, and the
/// proxy swallows that answer and closes: the one case where the client cannot know that the message arrived.
/// </summary>
public sealed class DropProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _dropsLeft;
    private int _connections;

    public enum DropPoint { MidData, BeforeReply }

    private readonly DropPoint _point;

    public DropProxy(int upstreamPort, int drops, DropPoint point = DropPoint.MidData)
    {
        _upstreamPort = upstreamPort;
        _dropsLeft = drops;
        _point = point;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public const int BodyBytesBeforeDrop = 300;

    public int DropsLeft => Volatile.Read(ref _dropsLeft);

    /// <summary>How many client connections were opened through the proxy.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The recipients (RCPT TO) of each message that was cut, in order.</summary>
    public ConcurrentQueue<string> Dropped { get; } = new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var upstream = new TcpClient();
        using var _ = client;
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
            var fromClient = client.GetStream();
            var toServer = upstream.GetStream();
            using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var state = new ConnectionState();
            var back = ForwardRepliesAsync(toServer, fromClient, state, done.Token);   // server answers go back untouched, but one
            var forth = ForwardCommandsAsync(fromClient, toServer, state, done.Token);
            await Task.WhenAny(back, forth);
            await done.CancelAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
        finally
        {
            // Closing both ends with a reset: the client sees its connection die mid-message, the server an unfinished DATA.
            try { client.Client.LingerState = new LingerOption(true, 0); } catch (SocketException) { } catch (ObjectDisposedException) { }
            try { upstream.Client.LingerState = new LingerOption(true, 0); } catch (SocketException) { } catch (ObjectDisposedException) { }
            client.Close();
            upstream.Close();
        }
    }

    /// <summary>
    /// Copies client bytes to the server, following the SMTP dialogue line by line: commands until DATA, then the body
    /// until the "." line. A message chosen for dropping gets only the first bytes of its body forwarded.
    /// </summary>
    private sealed class ConnectionState
    {
        /// <summary>Set once a message to be cut before its reply went through whole: the next server answer is swallowed.</summary>
        public volatile bool SwallowNextReply;
    }

    private static async Task ForwardRepliesAsync(Stream from, Stream to, ConnectionState state, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await from.ReadAsync(buffer, ct);
            if (read == 0) return;
            if (state.SwallowNextReply) return;   // the caller closes both sockets: the 250 never reaches the client
            await to.WriteAsync(buffer.AsMemory(0, read), ct);
        }
    }

    private async Task ForwardCommandsAsync(Stream from, Stream to, ConnectionState state, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        var line = new StringBuilder();
        var inData = false;
        var dropThis = false;
        var bodyBytes = 0;
        var tail = 0u;   // the last four bytes of the body, to find CRLF "." CRLF
        var recipients = new List<string>();
        while (true)
        {
            var read = await from.ReadAsync(buffer, ct);
            if (read == 0) return;
            for (var i = 0; i < read; i++)
            {
                var b = buffer[i];
                if (!inData)
                {
                    if (b != '\n') { line.Append((char)b); continue; }
                    var command = line.ToString().TrimEnd('\r');
                    line.Clear();
                    if (command.StartsWith("RCPT TO:", StringComparison.OrdinalIgnoreCase))
                        recipients.Add(command[8..].Trim().Trim('<', '>').Split('>')[0]);
                    else if (command.StartsWith("MAIL FROM:", StringComparison.OrdinalIgnoreCase))
                        recipients.Clear();
                    else if (command.Equals("DATA", StringComparison.OrdinalIgnoreCase))
                    {
                        inData = true;
                        bodyBytes = 0;
                        tail = 0;
                        for (var n = Volatile.Read(ref _dropsLeft); n > 0 && !dropThis; n = Volatile.Read(ref _dropsLeft))
                            dropThis = Interlocked.CompareExchange(ref _dropsLeft, n - 1, n) == n;
                    }
                    continue;
                }
                bodyBytes++;
                if (dropThis && _point == DropPoint.MidData && bodyBytes > BodyBytesBeforeDrop)
                {
                    await to.WriteAsync(buffer.AsMemory(0, i), ct);   // the head of the body, never its end
                    await to.FlushAsync(ct);
                    Dropped.Enqueue(string.Join(",", recipients));
                    return;   // the caller closes both sockets
                }
                tail = (tail << 8) | b;
                if (bodyBytes >= 3 && (tail & 0xFFFFFF) == 0x2E0D0A && (bodyBytes == 3 || ((tail >> 24) & 0xFF) == '\n'))
                {
                    inData = false;   // "." CRLF at the start of a line: the message ended, commands follow
                    if (dropThis)
                    {
                        // Cut before the reply: the whole message goes to the server, its answer is swallowed.
                        state.SwallowNextReply = true;
                        Dropped.Enqueue(string.Join(",", recipients));
                        dropThis = false;
                    }
                }
            }
            await to.WriteAsync(buffer.AsMemory(0, read), ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await Task.WhenAny(_accepting, Task.Delay(2000));
        _stop.Dispose();
    }
}
