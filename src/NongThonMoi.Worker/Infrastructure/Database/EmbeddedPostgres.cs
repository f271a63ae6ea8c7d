using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NongThonMoi.Infrastructure.Database;

/// <summary>
/// A private PostgreSQL cluster started from the machine's own server binaries, so that `demo` and
/// `dotnet test` need nothing set up by hand. The data folder persists between runs; the socket lives
/// in a short temporary folder of its own (Unix socket paths are limited to ~107 bytes).
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private readonly string _configuredDirectory;
    private readonly string _socketDirectory;
    private readonly bool _asRoot;
    private readonly SemaphoreSlim _starting = new(1, 1);
    private string _dataDirectory;
    private string _binDirectory = "";
    private bool _started;

    private EmbeddedPostgres(string dataDirectory)
    {
        _configuredDirectory = _dataDirectory = Path.GetFullPath(dataDirectory);
        _socketDirectory = Path.Combine(Path.GetTempPath(), $"ntm-pg-{Guid.NewGuid():N}"[..20]);
        _asRoot = Environment.UserName == "root";
        // The address is fixed before the server runs, so the data source can be built while services are registered
        // and the server started later, in an async start step. A port taken in between makes the start fail loudly.
        Port = FreePort();
    }

    public int Port { get; }

    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=50";

    /// <summary>A cluster on a free loopback port, not started yet (<see cref="EnsureStartedAsync"/>).</summary>
    public static EmbeddedPostgres Create(string dataDirectory) => new(dataDirectory);

    /// <summary>Creates and starts a cluster at once (the tests' and the benchmark's own databases).</summary>
    public static async Task<EmbeddedPostgres> StartAsync(string dataDirectory, CancellationToken ct = default)
    {
        var pg = Create(dataDirectory);
        await pg.EnsureStartedAsync(ct);
        return pg;
    }

    /// <summary>Initialises the cluster on first use, then starts it; a second call finds it running.</summary>
    public async Task EnsureStartedAsync(CancellationToken ct = default)
    {
        await _starting.WaitAsync(ct);
        try
        {
            if (_started) return;
            _binDirectory = FindBinaries() ?? throw new EmbeddedPostgresUnavailableException(
                "PostgreSQL server binaries (initdb, pg_ctl) were not found: install them with `apt-get install postgresql`, " +
                "or set ConnectionStrings:NongThonMoi to an existing server.");
            _dataDirectory = await ReachableDataDirectoryAsync(_configuredDirectory, ct);
            await StartCoreAsync(ct);
        }
        finally
        {
            _starting.Release();
        }
    }

    /// <summary>
    /// As root the cluster runs as the `postgres` user, who must be able to walk down to its folder. A clone under a
    /// private folder (root's home is 0700) is out of its reach; rather than fail, the cluster then lives under
    /// /var/lib/nongthonmoi, in a folder named after the configured one so that each checkout keeps its own data.
    /// </summary>
    private static async Task<string> ReachableDataDirectoryAsync(string dataDirectory, CancellationToken ct)
    {
        var full = Path.GetFullPath(dataDirectory);
        if (Environment.UserName != "root") return full;
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        using var probe = Process.Start(new ProcessStartInfo("runuser", ["-u", "postgres", "--", "test", "-x", parent])
        { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false });
        if (probe is null) return full;
        await probe.WaitForExitAsync(ct);
        if (probe.ExitCode == 0) return full;
        var moved = Path.Combine("/var/lib/nongthonmoi",
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(full)))[..12], "postgres");
        // Standard error: standard output may be read by a script (a token is printed there).
        Console.Error.WriteLine($"nongthonmoi: the postgres user cannot reach {parent} (a private folder above it); the embedded database lives in {moved} instead");
        return moved;
    }

    private async Task StartCoreAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_dataDirectory);
        Directory.CreateDirectory(_socketDirectory);
        if (_asRoot)
        {
            // initdb and postgres refuse to run as root: the cluster belongs to the `postgres` user.
            await RunAsync("chown", ["-R", "postgres:postgres", _dataDirectory, _socketDirectory], ct, asPostgres: false);
            await RunAsync("chmod", ["700", _dataDirectory], ct, asPostgres: false);
        }

        if (!File.Exists(Path.Combine(_dataDirectory, "PG_VERSION")))
        {
            await RunAsync(Path.Combine(_binDirectory, "initdb"),
                ["-D", _dataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], ct);
        }

        await StopStaleServerAsync(ct);
        var serverOptions = $"-p {Port} -k {_socketDirectory} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on";
        await RunAsync(Path.Combine(_binDirectory, "pg_ctl"),
            ["-D", _dataDirectory, "-w", "-t", "60", "-l", Path.Combine(_dataDirectory, "server.log"), "-o", serverOptions, "start"], ct);
        _started = true;
    }

    /// <summary>A cluster left running by a process that was killed holds the data folder; stop it first.</summary>
    private async Task StopStaleServerAsync(CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(_dataDirectory, "postmaster.pid"))) return;
        try
        {
            await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "fast", "-w", "stop"], ct);
        }
        catch (EmbeddedPostgresUnavailableException)
        {
            // Not running: the server removes a stale pid file by itself at start.
        }
    }

    public async Task StopAsync()
    {
        if (!_started) return;
        _started = false;
        try
        {
            await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "fast", "-w", "-t", "30", "stop"], CancellationToken.None);
        }
        catch (EmbeddedPostgresUnavailableException)
        {
            // Without a pid file the server is already down, which is what was asked. Otherwise the fast stop, which
            // waits for open sessions to end, outlasted its 30 s on a loaded machine: the process is going away either
            // way, and an immediate stop is what a crash would do (the next start replays the WAL).
            if (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
                await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"], CancellationToken.None);
        }
        finally
        {
            try { Directory.Delete(_socketDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>Stops the server without waiting: for tests that take the database away under a running worker.</summary>
    public Task KillAsync() => RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None);

    /// <summary>Starts it again on the same port after <see cref="KillAsync"/>.</summary>
    public Task RestartAsync() => RunAsync(Path.Combine(_binDirectory, "pg_ctl"),
        // After an immediate stop the server replays its WAL first; give that time on a busy machine.
        ["-D", _dataDirectory, "-w", "-t", "300", "-l", Path.Combine(_dataDirectory, "server.log"),
         "-o", $"-p {Port} -k {_socketDirectory} -c listen_addresses=127.0.0.1 -c max_connections=300", "start"], CancellationToken.None);

    private async Task RunAsync(string file, IReadOnlyList<string> args, CancellationToken ct, bool asPostgres = true)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (_asRoot && asPostgres)
        {
            psi.FileName = "runuser";
            foreach (var a in (string[])["-u", "postgres", "--", file]) psi.ArgumentList.Add(a);
        }
        else
        {
            psi.FileName = file;
        }
        foreach (var a in args) psi.ArgumentList.Add(a);

        using var process = Process.Start(psi) ?? throw new EmbeddedPostgresUnavailableException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            var detail = (await stderr).Trim();
            if (detail.Length == 0) detail = (await stdout).Trim();
            throw new EmbeddedPostgresUnavailableException(
                $"{Path.GetFileName(file)} failed (exit {process.ExitCode}) for the embedded database in {_dataDirectory}: {FirstLines(detail)}");
        }
    }

    private static string FirstLines(string text) => string.Join(" ", text.Split('\n').Take(3)).Trim();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>initdb on PATH, else the newest of Debian's versioned folders.</summary>
    private static string? FindBinaries()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(dir, "initdb");
            if (File.Exists(initdb) && File.Exists(Path.Combine(dir, "pg_ctl")))
            {
                // Debian links a few binaries into /usr/local/bin or /usr/bin; follow the link to the real folder.
                var target = new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb;
                return Path.GetDirectoryName(target);
            }
        }
        const string debian = "/usr/lib/postgresql";
        if (!Directory.Exists(debian)) return null;
        return Directory.GetDirectories(debian)
            .Select(d => (dir: Path.Combine(d, "bin"), version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            .Where(x => File.Exists(Path.Combine(x.dir, "initdb")))
            .OrderByDescending(x => x.version)
            .Select(x => x.dir)
            .FirstOrDefault();
    }
}

public sealed class EmbeddedPostgresUnavailableException(string message) : Exception(message);
