using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;

namespace NongThonMoi.Bench;

/// <summary>
/// The real worker as a child OS process: <c>dotnet nongthonmoi.dll serve</c>, the build the bench's project reference copies
/// next to the bench (so <c>dotnet run</c> of the bench always runs the worker of the same source), configured only through
/// environment variables as in production. Its log lines (warnings and errors, one per line) are forwarded to the bench's
/// stderr with a <c>[worker N]</c> prefix. Stopped with SIGTERM (the graceful stop), killed if it does not exit, and killed
/// on dispose whatever happened, so a failed bench leaves no worker behind.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private const int SigTerm = 15;

    private readonly Process _process;

    private WorkerProcess(Process process, string name, Uri url)
    {
        _process = process;
        Name = name;
        Url = url;
    }

    public string Name { get; }
    public Uri Url { get; }
    public int Pid => _process.Id;

    /// <summary>The worker's program next to the bench's own; with its runtimeconfig and deps it runs under the same <c>dotnet</c>.</summary>
    public static string Program
    {
        get
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "nongthonmoi.dll");
            foreach (var needed in new[] { dll, Path.ChangeExtension(dll, ".runtimeconfig.json"), Path.ChangeExtension(dll, ".deps.json") })
                if (!File.Exists(needed))
                    throw new FileNotFoundException($"{needed} is missing: the bench's project reference to NongThonMoi.Worker copies it there (build the bench)");
            return dll;
        }
    }

    /// <summary>
    /// The <c>dotnet</c> host running this process (the bench runs as its apphost under <c>dotnet run</c>, so the host is
    /// found from the runtime's folder: <c>&lt;root&gt;/shared/Microsoft.NETCore.App/&lt;version&gt;/</c>), else the one on PATH.
    /// </summary>
    private static string DotnetHost()
    {
        if (Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet") return p;
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location);
        var root = runtime is null ? null : Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        var candidate = root is null ? null : Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return candidate is not null && File.Exists(candidate) ? candidate : "dotnet";
    }

    /// <summary>Starts <c>serve</c> with <paramref name="settings"/> (configuration keys such as <c>Smtp:Port</c>) in its environment.</summary>
    public static WorkerProcess Start(string name, Uri url, IReadOnlyDictionary<string, string> settings, string workingDirectory)
    {
        Directory.CreateDirectory(workingDirectory);
        var info = new ProcessStartInfo(DotnetHost())
        {
            ArgumentList = { Program, "serve" },
            // Its .data/ and outbox/ (unused here) land in the bench's temporary folder, never in the repository.
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Nothing of the bench's own environment may change the worker's configuration.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) ||
                                                             k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);
        foreach (var (k, v) in settings) info.Environment[k.Replace(":", "__", StringComparison.Ordinal)] = v;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        // The console logger writes to stdout; at level Warning every line it writes is worth seeing.
        process.OutputDataReceived += (_, e) => Forward(name, e.Data);
        process.ErrorDataReceived += (_, e) => Forward(name, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new WorkerProcess(process, name, url);
    }

    private static void Forward(string name, string? line)
    {
        if (!string.IsNullOrEmpty(line)) Console.Error.WriteLine($"[{name}] {line}");
    }

    public HttpClient Admin()
    {
        var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{BenchHost.AdminUser}:{BenchHost.AdminPassword}")));
        return client;
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200 (migrations and reference sync done); fails early if the worker died.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before it was ready (its output is above)");
            try
            {
                using var response = await client.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{Name} not ready within {timeout.TotalSeconds:0} s");
    }

    /// <summary>SIGTERM, as a service manager stops it; killed when it has not exited within <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited) return;
        if (SysKill(_process.Id, SigTerm) == 0)
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
                return;
            }
            catch (OperationCanceledException) { Console.Error.WriteLine($"[{Name}] did not stop within {timeout.TotalSeconds:0} s of SIGTERM: killed"); }
        }
        Kill();
    }

    /// <summary>SIGKILL, at once: for the bench's own failure paths (an exception, Ctrl+C, the process exiting).</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { } // already gone
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        Kill();
        try { await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException) { }
        _process.Dispose();
    }
}
