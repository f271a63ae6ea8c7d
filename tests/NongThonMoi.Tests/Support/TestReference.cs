using System.Text;
using System.Text.Json;

namespace NongThonMoi.Tests.Support;

/// <summary>A reference folder written for one test: a small province, the shipped criteria sets, committees and targets.</summary>
public sealed class TestReference : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), $"ntm-ref-{Guid.NewGuid():N}");

    public TestReference(string unitsCsv, object? committees = null, object? targets = null, object? dataElements = null)
    {
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "criteria"));
        foreach (var file in System.IO.Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "config", "criteria"), "*.json"))
            File.Copy(file, Path.Combine(Directory, "criteria", Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(Directory, "units.csv"), unitsCsv, Encoding.UTF8);
        Write("committees.json", committees ?? Array.Empty<object>());
        if (targets is not null) Write("targets.json", targets);
        Write("data-elements.json", dataElements ?? new[] { new { code = "ocop_3_sao", name = "Sản phẩm OCOP 3 sao", unit = "sản phẩm" } });
    }

    /// <summary>
    /// Lạng Sơn as it stood on 30/06/2025, the last day of districts (11 districts, 175 xã), with the shipped committees,
    /// targets, data elements and holidays: for tests of district reporting in periods of today. The shipped config/ now
    /// spans the reform, so its periods of today are reported by the 61 xã.
    /// </summary>
    public static TestReference LangSonBeforeReform()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "config");
        var units = NongThonMoi.Programme.ReferenceLoader.Load(shipped).UnitsOn(new DateOnly(2025, 6, 30));
        var csv = new StringBuilder("code,name,level,parent,region,flags\n");
        foreach (var u in units)
            csv.Append($"{u.Code},{u.Name},{u.Level.ToString().ToLowerInvariant()},{u.ParentCode},{u.Region},{string.Join(';', u.Flags)}\n");
        var reference = new TestReference(csv.ToString());
        foreach (var file in new[] { "committees.json", "targets.json", "data-elements.json", "holidays.csv" })
            File.Copy(Path.Combine(shipped, file), Path.Combine(reference.Directory, file), overwrite: true);
        return reference;
    }

    public void Write(string name, object value) =>
        File.WriteAllText(Path.Combine(Directory, name), JsonSerializer.Serialize(value), Encoding.UTF8);

    /// <summary>Province 20 with two districts: 901 (communes 90101–90103) and 902 (90201–90202).</summary>
    public const string SmallProvince = """
        code,name,level,parent,region,flags
        20,Tỉnh Thử Nghiệm,province,,TDMNPB,
        901,Huyện Một,district,20,,
        902,Huyện Hai,district,20,,
        90101,Xã Một Một,commune,901,,bien-gioi
        90102,Xã Một Hai,commune,901,,
        90103,Xã Một Ba,commune,901,,
        90201,Xã Hai Một,commune,902,,
        90202,Xã Hai Hai,commune,902,,dbkk
        """;

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
