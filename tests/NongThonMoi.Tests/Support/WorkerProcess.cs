using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;

namespace NongThonMoi.Tests.Support;

/// <summary>
/// The real built worker (<c>nongthonmoi.dll serve</c>, or another serving verb such as <c>demo</c>; copied next to the
/// tests by the project reference) as a child
/// OS process, configured only through environment variables, its output kept for assertions. It can be killed
/// (SIGKILL) or asked to stop (SIGTERM); whatever is still running when the test ends is killed on dispose, so a
/// failed assertion leaves no orphan worker behind.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private const int SigTerm = 15;

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Stopwatch _started = Stopwatch.StartNew();

    private WorkerProcess(Process process, Uri url, string name)
    {
        _process = process;
        Url = url;
        Name = name;
    }

    public Uri Url { get; }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the worker wrote to stdout and stderr so far, each line prefixed with its stream and time.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>The worker's own program, from the test output folder; with its runtimeconfig it runs under `dotnet`.</summary>
    public static string Program
    {
        get
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "nongthonmoi.dll");
            foreach (var needed in new[] { dll, Path.ChangeExtension(dll, ".runtimeconfig.json"), Path.ChangeExtension(dll, ".deps.json") })
                if (!File.Exists(needed))
                    throw new FileNotFoundException($"{needed} is missing: the project reference to NongThonMoi.Worker should copy it next to the tests");
            return dll;
        }
    }

    /// <summary>Starts <c>serve</c> with the given settings (configuration keys, e.g. <c>Smtp:Port</c>) as environment variables.</summary>
    public static WorkerProcess Start(string name, IReadOnlyDictionary<string, string> settings) => Create(name, settings).Launch();

    /// <summary>A worker made ready but not started yet (<see cref="Launch"/>), so that a test can dispose it in any case.</summary>
    public static WorkerProcess Create(string name, IReadOnlyDictionary<string, string> settings, string verb = "serve")
    {
        var url = new Uri($"http://127.0.0.1:{SmtpFixture.FreePort()}");
        var host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var info = new ProcessStartInfo(host)
        {
            ArgumentList = { Program, verb },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // Nothing of the test process's own configuration may leak into the worker.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_") || k.StartsWith("DOTNET_ENVIRONMENT")).ToList())
            info.Environment.Remove(key);
        var all = new Dictionary<string, string>
        {
            ["Web:Urls"] = url.GetLeftPart(UriPartial.Authority),
            ["Admin:User"] = TestApp.AdminUser,
            ["Admin:Password"] = TestApp.AdminPassword,
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Security"] = "None",
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Hangfire"] = "Information",
            ["Logging:Console:FormatterName"] = "simple",
            ["Logging:Console:FormatterOptions:SingleLine"] = "true",
            ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss.fff ",
        };
        foreach (var (k, v) in settings) all[k] = v;
        foreach (var (k, v) in all) info.Environment[k.Replace(":", "__")] = v;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process, url, name);
        process.OutputDataReceived += (_, e) => worker.Append("out", e.Data);
        process.ErrorDataReceived += (_, e) => worker.Append("err", e.Data);
        return worker;
    }

    public WorkerProcess Launch()
    {
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _started.Restart();
        return this;
    }

    private void Append(string stream, string? line)
    {
        if (line is null) return;
        lock (_output) _output.Append($"[{Name} {stream} +{_started.Elapsed.TotalSeconds:0.00}s] ").AppendLine(line);
    }

    public HttpClient Admin()
    {
        var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestApp.AdminUser}:{TestApp.AdminPassword}")));
        return client;
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200 (migrations done, database reachable); fails early if the worker died.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var until = Stopwatch.StartNew();
        while (until.Elapsed < timeout)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"worker {Name} exited with {_process.ExitCode} before it was ready:\n{Output}");
            try
            {
                if ((await client.GetAsync("/health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"worker {Name} not ready within {timeout}:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or the OOM killer.</summary>
    public void Kill() => _process.Kill(entireProcessTree: false);

    /// <summary>SIGTERM: what systemd, Docker and Kubernetes send first; the host starts its graceful stop.</summary>
    public void Terminate()
    {
        if (SysKill(_process.Id, SigTerm) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);

    /// <summary>True when the process has exited within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await WaitForExitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException) { }   // never started, or already gone
        _process.Dispose();
    }
}
