using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NongThonMoi.Bench;

public sealed record ScenarioResult(
    string Name, double Figure, string Unit, double? Limit, double? Ratio, string Goal, bool Met,
    [property: JsonIgnore] string Note = "")
{
    [JsonPropertyName("note")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string? NoteOrNull => Note.Length == 0 ? null : Note;
}

public sealed record BenchReport(string Machine, string Scale, IReadOnlyList<ScenarioResult> Scenarios, IReadOnlyDictionary<string, string> Details);

public static class Results
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Machine()
    {
        string cpu = "unknown CPU";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException) { }
        long memKb = 0;
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            memKb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException) { }
        return $"{Environment.ProcessorCount} cores, {cpu}, {memKb / 1024 / 1024.0:0.#} GB RAM, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }

    public static void Print(BenchReport report, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"NongThonMoi bench — scale {report.Scale} — {report.Machine}");
        var width = Math.Max(10, report.Scenarios.Max(s => s.Name.Length));
        output.WriteLine($"{"scenario".PadRight(width)} {"figure",12} {"unit",-14} {"limit",12} {"ratio",7}  {"goal",-36} met");
        foreach (var s in report.Scenarios)
            output.WriteLine($"{s.Name.PadRight(width)} {F(s.Figure),12} {s.Unit,-14} {(s.Limit is { } l ? F(l) : "—"),12} {(s.Ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "—"),7}  {s.Goal,-36} {(s.Met ? "yes" : "NO")}");
        foreach (var s in report.Scenarios.Where(s => s.Note.Length > 0)) output.WriteLine($"  {s.Name}: {s.Note}");
        foreach (var (k, v) in report.Details) output.WriteLine($"  {k}: {v}");
    }

    private static string F(double v) => v.ToString(v >= 100 ? "0" : "0.0#", CultureInfo.InvariantCulture);

    public static async Task WriteAsync(BenchReport report, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(report, Json));
        File.Move(temp, path, overwrite: true);
    }
}
