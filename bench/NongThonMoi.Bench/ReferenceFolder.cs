using System.Text;
using System.Text.Json;

namespace NongThonMoi.Bench;

/// <summary>
/// A generated reference folder: one top unit, the districts and communes of the scale, a committee of three per district. In
/// every fourth district the second commune merged into the first (which keeps its code) on <see cref="MergerEffective"/>, a
/// Monday 51 weeks before this week: inside a year of history and before the end of the previous year, so the current
/// period's figures and its baseline are on one unit list (the limit statement knows nothing of mergers), while the merger's
/// own period is there to be measured (<see cref="RecomputeScenario"/>).
/// </summary>
public sealed class ReferenceFolder : IDisposable
{
    private static readonly string[] Regions = ["TDMNPB", "DBSH", "BTB", "DHNTB", "TN", "DNB", "DBSCL"];

    public string Directory { get; }
    public List<GeneratedDistrict> Districts { get; } = [];
    public string ProvinceCode => "01";
    public DateOnly MergerEffective { get; }

    /// <summary>Whether the figures of <paramref name="period"/> are on the units before the merger (deadline Friday, in the week).</summary>
    public bool BeforeMerger(NongThonMoi.Programme.ReportingPeriod period) => period.End < MergerEffective;

    /// <summary>The period whose deadline is the first on or after the merger.</summary>
    public bool MergerPeriod(NongThonMoi.Programme.ReportingPeriod period) => period.Start <= MergerEffective && MergerEffective <= period.End;

    public ReferenceFolder(Scale scale, string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "criteria"));
        var shipped = Path.Combine(AppContext.BaseDirectory, "config");
        foreach (var file in System.IO.Directory.GetFiles(Path.Combine(shipped, "criteria"), "*.json"))
            File.Copy(file, Path.Combine(directory, "criteria", Path.GetFileName(file)));
        File.Copy(Path.Combine(shipped, "data-elements.json"), Path.Combine(directory, "data-elements.json"));
        if (File.Exists(Path.Combine(shipped, "holidays.csv"))) File.Copy(Path.Combine(shipped, "holidays.csv"), Path.Combine(directory, "holidays.csv"));

        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(7)); // Asia/Ho_Chi_Minh, as the worker's calendar
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        MergerEffective = monday.AddDays(-7 * 51);
        var before = MergerEffective.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var after = MergerEffective.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var mergers = new StringBuilder("effective,old_code,new_code\n");

        var csv = new StringBuilder("code,name,level,parent,region,flags,valid_from,valid_to\n");
        csv.Append($"{ProvinceCode},Toàn quốc (mẫu),province,,,,,\n");
        var commune = 10_000;
        for (var d = 0; d < scale.Districts; d++)
        {
            var code = (100 + d).ToString("000");
            csv.Append($"{code},Huyện Mẫu {d + 1:000},district,{ProvinceCode},{Regions[d % Regions.Length]},,,\n");
            var communes = new List<string>();
            var merges = d % 4 == 0 && scale.CommunesOf(d) >= 2;
            for (var c = 0; c < scale.CommunesOf(d); c++, commune++)
            {
                var cc = commune.ToString("00000");
                var flags = commune % 17 == 0 ? "bien-gioi" : commune % 23 == 0 ? "dbkk" : "";
                if (merges && c == 0)
                {
                    // The receiving commune keeps its code: a new version from the merger on, as in config/units.csv.
                    csv.Append($"{cc},Xã Mẫu {cc},commune,{code},,{flags},,{before}\n");
                    csv.Append($"{cc},Xã Mẫu {cc} (sáp nhập),commune,{code},,{flags},{after},\n");
                    mergers.Append($"{after},{cc},{cc}\n");
                }
                else if (merges && c == 1)
                {
                    csv.Append($"{cc},Xã Mẫu {cc},commune,{code},,{flags},,{before}\n");
                    mergers.Append($"{after},{cc},{communes[0]}\n");
                }
                else csv.Append($"{cc},Xã Mẫu {cc},commune,{code},,{flags},,\n");
                communes.Add(cc);
            }
            Districts.Add(merges ? new GeneratedDistrict(code, [communes[0], .. communes.Skip(2)], communes) : new GeneratedDistrict(code, communes));
        }
        File.WriteAllText(Path.Combine(directory, "units.csv"), csv.ToString(), Encoding.UTF8);
        File.WriteAllText(Path.Combine(directory, "mergers.csv"), mergers.ToString(), Encoding.UTF8);

        var committees = new List<object>
        {
            new { id = "bcd-tw", name = "Ban Chỉ đạo Trung ương (mẫu)", scope = "province",
                  members = Enumerable.Range(1, 3).Select(m => new { name = $"Thành viên {m}", email = $"tw{m}@bench.example.vn" }).ToArray() },
        };
        committees.AddRange(Districts.Select(d => (object)new
        {
            id = $"bcd-{d.Code}",
            name = $"Ban Chỉ đạo huyện Mẫu {d.Code}",
            scope = d.Code,
            reminders = true,
            members = Enumerable.Range(1, 3).Select(m => new { name = $"Cán bộ {m} huyện {d.Code}", email = $"h{d.Code}.{m}@bench.example.vn" }).ToArray(),
        }));
        Write("committees.json", committees);
        Write("targets.json", new Dictionary<string, object>
        {
            ["2026"] = new
            {
                province = new { new_standard = scale.Communes / 20, total_standard = scale.Communes * 7 / 10, avg_criteria = 8.5 },
                districts = Districts.Take(50).ToDictionary(d => d.Code, d => new { new_standard = 1, total_standard = d.Communes.Count / 2 }),
            },
        });
    }

    private void Write(string name, object value) =>
        File.WriteAllText(Path.Combine(Directory, name), JsonSerializer.Serialize(value), Encoding.UTF8);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

/// <param name="Communes">The communes today (what a submission of the current period lists).</param>
/// <param name="Former">The communes before the merger, when one of this district's communes merged into another; else null.</param>
public sealed record GeneratedDistrict(string Code, List<string> Communes, List<string>? Former = null)
{
    public List<string> CommunesIn(NongThonMoi.Programme.ReportingPeriod period, ReferenceFolder reference) =>
        Former is { } former && reference.BeforeMerger(period) ? former : Communes;
}
