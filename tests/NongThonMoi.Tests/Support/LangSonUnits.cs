using System.Text;

namespace NongThonMoi.Tests.Support;

/// <summary>A unit of the GSO list in <c>Data/langson-units-*.csv</c> (<c>code,name,level,parent,type</c>).</summary>
public sealed record GsoUnit(string Code, string Name, string Level, string Parent, string Type);

/// <summary>Turns the real GSO lists of Lạng Sơn into our <c>units.csv</c>.</summary>
public static class LangSonUnits
{
    public static IReadOnlyList<GsoUnit> Read(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Data", file), Encoding.UTF8);
        Assert.Equal("code,name,level,parent,type", lines[0]);
        // No name in these files holds a comma, so a plain split is enough.
        return lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).Select(f => new GsoUnit(f[0], f[1], f[2], f[3], f[4])).ToList();
    }

    /// <summary>The rural communes (xã): the only units the programme covers; wards and towns are left out.</summary>
    public static IReadOnlyList<GsoUnit> RuralCommunes(IReadOnlyList<GsoUnit> units) =>
        units.Where(u => u.Level == "commune" && u.Type == "Xã").ToList();

    /// <summary>The structure before July 2025: province, the districts that have rural communes, and those communes under them.</summary>
    public static string ThreeTierCsv(IReadOnlyList<GsoUnit> units)
    {
        var communes = RuralCommunes(units);
        var withCommunes = communes.Select(c => c.Parent).ToHashSet();
        var csv = new StringBuilder("code,name,level,parent,region,flags\n");
        foreach (var p in units.Where(u => u.Level == "province")) csv.Append($"{p.Code},{p.Name},province,,TDMNPB,\n");
        foreach (var d in units.Where(u => u.Level == "district" && withCommunes.Contains(u.Code))) csv.Append($"{d.Code},{d.Name},district,{d.Parent},,\n");
        foreach (var c in communes) csv.Append($"{c.Code},{c.Name},commune,{c.Parent},,\n");
        return csv.ToString();
    }

    /// <summary>The two-tier structure (since 01/07/2025): no districts, every commune directly under the province.</summary>
    public static string TwoTierCsv(IReadOnlyList<GsoUnit> units)
    {
        var province = units.Single(u => u.Level == "province");
        var csv = new StringBuilder("code,name,level,parent,region,flags\n");
        csv.Append($"{province.Code},{province.Name},province,,TDMNPB,\n");
        foreach (var c in RuralCommunes(units)) csv.Append($"{c.Code},{c.Name},commune,{province.Code},,\n");
        return csv.ToString();
    }
}
