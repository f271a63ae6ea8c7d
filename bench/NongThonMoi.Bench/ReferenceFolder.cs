using System.Text;
using System.Text.Json;

namespace NongThonMoi.Bench;

/// <summary>A generated reference folder: one top unit, the districts and communes of the scale, a committee of three per district.</summary>
public sealed class ReferenceFolder : IDisposable
{
    private static readonly string[] Regions = ["TDMNPB", "DBSH", "BTB", "DHNTB", "TN", "DNB", "DBSCL"];

    public string Directory { get; }
    public List<GeneratedDistrict> Districts { get; } = [];
    public string ProvinceCode => "01";

    public ReferenceFolder(Scale scale, string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "criteria"));
        var shipped = Path.Combine(AppContext.BaseDirectory, "config");
        foreach (var file in System.IO.Directory.GetFiles(Path.Combine(shipped, "criteria"), "*.json"))
            File.Copy(file, Path.Combine(directory, "criteria", Path.GetFileName(file)));
        File.Copy(Path.Combine(shipped, "data-elements.json"), Path.Combine(directory, "data-elements.json"));
        if (File.Exists(Path.Combine(shipped, "holidays.csv"))) File.Copy(Path.Combine(shipped, "holidays.csv"), Path.Combine(directory, "holidays.csv"));

        var csv = new StringBuilder("code,name,level,parent,region,flags\n");
        csv.Append($"{ProvinceCode},Toàn quốc (mẫu),province,,,\n");
        var commune = 10_000;
        for (var d = 0; d < scale.Districts; d++)
        {
            var code = (100 + d).ToString("000");
            csv.Append($"{code},Huyện Mẫu {d + 1:000},district,{ProvinceCode},{Regions[d % Regions.Length]},\n");
            var communes = new List<string>();
            for (var c = 0; c < scale.CommunesOf(d); c++, commune++)
            {
                var cc = commune.ToString("00000");
                communes.Add(cc);
                var flags = commune % 17 == 0 ? "bien-gioi" : commune % 23 == 0 ? "dbkk" : "";
                csv.Append($"{cc},Xã Mẫu {cc},commune,{code},,{flags}\n");
            }
            Districts.Add(new GeneratedDistrict(code, communes));
        }
        File.WriteAllText(Path.Combine(directory, "units.csv"), csv.ToString(), Encoding.UTF8);

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

public sealed record GeneratedDistrict(string Code, List<string> Communes);
