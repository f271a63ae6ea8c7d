using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using MimeKit;
using MiniExcelLibs;
using NongThonMoi.Tests.Support;
using Xunit.Abstractions;

namespace NongThonMoi.Tests.Cli;

/// <summary>
/// <c>demo</c> as a newcomer runs it (README: "the sample province, end to end"): the real built program on a fresh
/// embedded cluster of its own, the sample province from <c>config/</c>, the bulletin written as <c>.eml</c> files.
/// Only its folders and its port are its own (configuration through the environment, as <c>Section__Key</c>); nothing
/// else is set up for it, not even the admin password, which it generates and prints.
/// </summary>
/// <remarks>
/// In the database collection although it uses none of its fixtures: it then never competes with the other
/// end-to-end tests for the two cores, so its bound stays a guard against a hang and never a race.
/// </remarks>
[Collection(DatabaseCollection.Name)]
public sealed class DemoProcessTests(ITestOutputHelper output)
{
    private const int SigQuit = 3;

    /// <summary>
    /// A hang guard, not a speed bound (speed is bench/'s): the first bulletin takes seconds on a quiet machine, and a stop is
    /// Hangfire's ShutdownTimeout plus the cluster's fast stop; only a demo that never gets there runs into it.
    /// </summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Demo_on_a_fresh_database_sends_a_first_bulletin_of_the_sample_province_and_stops_cleanly_with_its_cluster_on_SIGTERM()
    {
        var watch = Stopwatch.StartNew();
        // Reachable by the `postgres` user when the tests run as root (the cluster then runs as postgres): a plain
        // folder under /tmp, not CreateTempSubdirectory's 0700 one, or the cluster would move to /var/lib/nongthonmoi.
        var root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"ntm-demo-{Guid.NewGuid():N}"[..21])).FullName;
        var data = Path.Combine(root, "postgres");
        var outbox = Path.Combine(root, "outbox");
        var expected = SampleProvince.Read(Path.Combine(AppContext.BaseDirectory, "config", "units.csv"));

        var demo = WorkerProcess.Create("demo", new Dictionary<string, string>
        {
            ["ConnectionStrings:NongThonMoi"] = "",            // the embedded cluster, as in the README
            ["Database:EmbeddedDirectory"] = data,
            ["Smtp:Host"] = "",                                // .eml files, as in the README
            ["Smtp:PickupDirectory"] = outbox,
            ["Admin:Password"] = "",                           // demo generates one and prints it
        }, verb: "demo");
        try
        {
            demo.Launch();
            string Tail() => TailOf(demo);

            // The first bulletin: the first whole .eml (the transport writes a hidden .tmp and renames it).
            var first = await Poll.ForAsync(() => Alive(demo) ? Directory.Exists(outbox) ? Directory.GetFiles(outbox, "*.eml").FirstOrDefault() : null : null,
                HangGuard, $"a first bulletin (.eml) in {outbox}", detail: Tail);
            var firstAfter = watch.Elapsed;
            var banner = await Poll.ForAsync(() => Alive(demo) ? Banner.Match(demo.Output) is { Success: true } m ? m : null : null,
                HangGuard, "the demo's banner (Kỳ hiện tại …; Đăng nhập admin …)", detail: Tail);
            var period = banner.Groups["period"].Value;
            var label = banner.Groups["label"].Value;
            var submitted = int.Parse(banner.Groups["submitted"].Value);

            // The sample data: every reporting unit but the last one has reported for the current period.
            Assert.Equal(expected.Units.Count - 1, submitted);

            var message = MimeMessage.Load(first);
            output.WriteLine($"first bulletin after {firstAfter.TotalSeconds:0.0} s: {Path.GetFileName(first)} ({message.Headers["X-NTM-Committee"]})");
            AssertIsABulletin(message, period, label);

            // The province's bulletin of the same run says who is missing, and counts the communes of the whole province.
            var province = await Poll.ForAsync(() => Directory.GetFiles(outbox, "*.eml").Select(f => MimeMessage.Load(f))
                    .FirstOrDefault(m => m.Headers["X-NTM-Committee"] == "bcd-tinh"),
                HangGuard, "the province committee's bulletin (X-NTM-Committee: bcd-tinh)", detail: Tail);
            AssertIsABulletin(province, period, label);
            var text = province.TextBody ?? "";
            var missing = expected.Units[^1];
            Assert.Contains($"Đã nhận báo cáo của {submitted}/{expected.Units.Count} đơn vị; chưa nhận: {missing.Name}", text);
            Assert.Matches($@"Xã đạt chuẩn NTM: \d+/{expected.Communes} xã", text);
            Assert.Matches(new Regex($@"^  {Regex.Escape(missing.Name)}: {expected.CommunesOf(missing.Code)} xã, .*; Chưa báo cáo\r?$", RegexOptions.Multiline), text);
            Assert.Single(Regex.Matches(text, "Chưa báo cáo"));
            var sheets = Workbook(province);
            Assert.Equal(["Tổng hợp", "Đơn vị", "Tiêu chí", "Xã"], MiniExcel.GetSheetNames(sheets));
            var units = MiniExcel.Query(Rewind(sheets), useHeaderRow: true, sheetName: "Đơn vị").Cast<IDictionary<string, object?>>().ToList();
            Assert.Equal(expected.Units.Select(u => u.Code), units.Select(r => (string?)r["Mã"]));
            Assert.Equal("Chưa báo cáo", units[^1]["Báo cáo kỳ này"]);
            Assert.Equal(expected.Communes, MiniExcel.Query(Rewind(sheets), useHeaderRow: true, sheetName: "Xã").Count());

            // What the banner promises works: the printed admin login reads the figures of that period.
            using (var client = new HttpClient { BaseAddress = demo.Url, Timeout = TimeSpan.FromSeconds(30) })
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                    Convert.ToBase64String(Encoding.UTF8.GetBytes($"{banner.Groups["user"].Value}:{banner.Groups["password"].Value}")));
                var latest = await client.GetAsync("/api/indicators/latest");
                Assert.Equal(HttpStatusCode.OK, latest.StatusCode);
                Assert.Contains($"\"{period}\"", await latest.Content.ReadAsStringAsync());
            }

            // The cluster really lives where it was told (not moved to /var/lib/nongthonmoi) and is running now.
            Assert.True(File.Exists(Path.Combine(data, "PG_VERSION")), $"no cluster in {data}:\n{Tail()}");
            Assert.NotEmpty(ProcessesOn(data));
            var socket = SocketDirectory(data);

            var stopping = Stopwatch.StartNew();
            demo.Terminate();
            var stopped = await demo.WaitForExitAsync(HangGuard);
            Assert.True(stopped, $"the demo did not stop after SIGTERM (hung):\n{Tail()}");
            output.WriteLine($"SIGTERM: exited with {demo.ExitCode} after {stopping.Elapsed.TotalSeconds:0.0} s; whole test {watch.Elapsed.TotalSeconds:0.0} s");
            Assert.True(demo.ExitCode == 0, $"exit code {demo.ExitCode} after SIGTERM:\n{Tail()}");
            Assert.False(File.Exists(Path.Combine(data, "postmaster.pid")), "the embedded cluster's postmaster.pid is still there: not stopped");
            Assert.Empty(ProcessesOn(data));
            if (socket is not null) Assert.False(Directory.Exists(socket), $"the cluster's socket folder {socket} was left behind");
        }
        finally
        {
            output.WriteLine(TailOf(demo, 200));
            await demo.DisposeAsync();   // kills the worker's process tree if it is still running
            await StopLeftClusterAsync(data);
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// Any bulletin of the run: the subject and heading of a bulletin for the period the demo printed, text and HTML,
    /// the charts inline, and the workbook attached.
    /// </summary>
    private static void AssertIsABulletin(MimeMessage message, string period, string label)
    {
        Assert.StartsWith("Bản tin tiến độ xây dựng nông thôn mới – ", message.Subject);
        Assert.EndsWith($" – {label}", message.Subject);
        Assert.Equal(period, message.Headers["X-NTM-Period"]);
        Assert.StartsWith("BẢN TIN TIẾN ĐỘ XÂY DỰNG NÔNG THÔN MỚI", message.TextBody);
        Assert.Contains(label, message.TextBody);
        Assert.Contains("<h1", message.HtmlBody);
        Assert.Contains("Kết quả theo tiêu chí", message.TextBody);
        Assert.Equal(2, message.BodyParts.OfType<MimePart>().Count(p => p.ContentType.MimeType == "image/png"));
        var workbook = Assert.Single(message.Attachments.OfType<MimePart>());
        Assert.Equal($"ban-tin-ntm-{period}-{message.Headers["X-NTM-Committee"]}.xlsx", workbook.FileName);
        Assert.Equal(NongThonMoi.Infrastructure.Spreadsheet.ContentType, workbook.ContentType.MimeType);
        using var zip = new ZipArchive(Workbook(message), ZipArchiveMode.Read);
        Assert.NotNull(zip.GetEntry("xl/workbook.xml"));
    }

    private static MemoryStream Workbook(MimeMessage message)
    {
        var xlsx = new MemoryStream();
        message.Attachments.OfType<MimePart>().Single().Content!.DecodeTo(xlsx);
        return Rewind(xlsx);
    }

    private static MemoryStream Rewind(MemoryStream s)
    {
        s.Position = 0;
        return s;
    }

    /// <summary>The demo's banner; the label holds parentheses of its own, e.g. <c>Tuần 49/2026 (30/11–06/12/2026) (2026-W49)</c>.</summary>
    private static readonly Regex Banner = new(
        @"Kỳ hiện tại:\s+(?<label>.+) \((?<period>[^()]+)\); (?<submitted>\d+) báo cáo mẫu đã nộp[\s\S]*?Đăng nhập admin:\s+(?<user>\S+) / (?<password>\S+)");

    /// <summary>False, with the reason, once the demo has exited: a dead demo fails at once instead of at the bound.</summary>
    private static bool Alive(WorkerProcess demo) => !demo.HasExited
        ? true
        : throw new InvalidOperationException($"demo exited with {demo.ExitCode} before its first bulletin:\n{TailOf(demo)}");

    private static string TailOf(WorkerProcess demo, int lines = 60)
    {
        var all = demo.Output.Split('\n');
        return $"--- last {Math.Min(lines, all.Length)} lines of the demo's stdout/stderr ---\n" + string.Join('\n', all.TakeLast(lines));
    }

    /// <summary>Processes whose command line names the data folder: the postmaster (<c>postgres -D …</c>), pg_ctl.</summary>
    private static List<int> ProcessesOn(string data)
    {
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0').Contains(data)) found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // gone meanwhile
        }
        return found;
    }

    /// <summary>The socket folder the postmaster was started with (<c>-k</c>), from its <c>postmaster.opts</c>.</summary>
    private static string? SocketDirectory(string data)
    {
        var opts = Path.Combine(data, "postmaster.opts");
        return File.Exists(opts) && Regex.Match(File.ReadAllText(opts), "\"-k\" \"([^\"]+)\"") is { Success: true } m ? m.Groups[1].Value : null;
    }

    /// <summary>
    /// After a failure: the cluster is a daemon of pg_ctl, outside the worker's process tree, so killing the worker
    /// leaves it running. SIGQUIT is PostgreSQL's immediate shutdown; its socket folder goes too.
    /// </summary>
    private static async Task StopLeftClusterAsync(string data)
    {
        var pidFile = Path.Combine(data, "postmaster.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid)) return;
        var socket = SocketDirectory(data);
        if (SysKill(pid, SigQuit) == 0)
        {
            try { await Poll.UntilAsync(() => Task.FromResult(ProcessesOn(data).Count == 0), TimeSpan.FromSeconds(30), "the left cluster stopped"); }
            catch (TimeoutException) { SysKill(pid, 9); }
        }
        if (socket is not null) try { Directory.Delete(socket, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);

    /// <summary>
    /// What <c>config/units.csv</c> (the file the demo reads, copied next to the tests) says, read by hand rather than by
    /// the program's loader: the reporting units of today (the districts, in file order, or — with no district open, as
    /// since 01/07/2025 — the communes themselves; the demo leaves the last one out) and their rural communes. On today's
    /// file: 61 xã reporting for themselves, the last Xã Châu Sơn.
    /// </summary>
    private sealed record SampleProvince(IReadOnlyList<(string Code, string Name)> Units, IReadOnlyDictionary<string, int> CommunesPerUnit)
    {
        public int Communes => CommunesPerUnit.Values.Sum();

        public int CommunesOf(string unit) => CommunesPerUnit.GetValueOrDefault(unit);

        public static SampleProvince Read(string file)
        {
            var lines = File.ReadAllLines(file, Encoding.UTF8).Where(l => l.Length > 0).ToList();
            var header = lines[0].Split(',').ToList();
            int Column(string name) => header.IndexOf(name) is >= 0 and var i ? i : throw new InvalidDataException($"{file}: no column {name}");
            var (code, name, level, parent) = (Column("code"), Column("name"), Column("level"), Column("parent"));
            // No sample name holds a comma or a quote, so a plain split is enough. The units of today: rows still open
            // (empty valid_to; a file without validity columns is all open).
            var validTo = header.IndexOf("valid_to");
            var rows = lines.Skip(1).Select(l => l.Split(',')).Where(r => validTo < 0 || r[validTo].Length == 0).ToList();
            var units = rows.Where(r => r[level] == "district").Select(r => (r[code], r[name])).ToList();
            var communes = units.ToDictionary(u => u.Item1, u => rows.Count(r => r[level] == "commune" && r[parent] == u.Item1));
            if (units.Count == 0)
            {
                // The two-tier structure (since 01/07/2025): every commune reports for itself.
                units = rows.Where(r => r[level] == "commune").Select(r => (r[code], r[name])).ToList();
                communes = units.ToDictionary(u => u.Item1, _ => 1);
            }
            Assert.True(units.Count >= 2, $"{file}: the demo needs at least two reporting units");
            return new SampleProvince(units, communes);
        }
    }
}
