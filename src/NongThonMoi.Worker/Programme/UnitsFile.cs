using NongThonMoi.Infrastructure;

namespace NongThonMoi.Programme;

/// <summary>
/// <c>units.csv</c>: <c>code,name,level,parent,region,flags</c> and, optionally, <c>group</c> — the commune group
/// (nhóm xã 1/2/3) that the 2026–2030 criteria set uses for its thresholds.
/// </summary>
public static class UnitsFile
{
    private const string File = "units.csv";
    private static readonly string[] Header = ["code", "name", "level", "parent", "region", "flags"];

    public static List<Unit> Parse(string path)
    {
        if (!System.IO.File.Exists(path)) throw new ReferenceException(File, null, $"the file is missing ({path})");
        List<Csv.Row> rows;
        try { rows = Csv.Read(System.IO.File.ReadAllText(path), ','); }
        catch (FormatException e) { throw new ReferenceException(File, null, e.Message); }
        if (rows.Count == 0) throw new ReferenceException(File, 1, "the file is empty; the header is " + string.Join(",", Header));

        var header = rows[0].Fields.Select(f => f.ToLowerInvariant()).ToArray();
        var hasGroup = header.Length == 7 && header[6] == "group";
        if (!header.Take(6).SequenceEqual(Header) || header.Length is not (6 or 7) || (header.Length == 7 && !hasGroup))
            throw new ReferenceException(File, rows[0].Line, $"the header must be {string.Join(",", Header)}[,group], not {string.Join(",", rows[0].Fields)}");

        var units = new Dictionary<string, (Unit Unit, int Line)>();
        foreach (var row in rows.Skip(1))
        {
            var f = row.Fields;
            if (f.Count != header.Length)
                throw new ReferenceException(File, row.Line, $"expected {header.Length} fields, found {f.Count}");
            var code = f[0];
            var level = f[2] switch
            {
                "province" => UnitLevel.Province,
                "district" => UnitLevel.District,
                "commune" => UnitLevel.Commune,
                var other => throw new ReferenceException(File, row.Line, $"level \"{other}\" is not province, district or commune"),
            };
            var digits = level switch { UnitLevel.Province => 2, UnitLevel.District => 3, _ => 5 };
            if (code.Length != digits || !code.All(char.IsAsciiDigit))
                throw new ReferenceException(File, row.Line, $"code \"{code}\" of a {f[2]} must be {digits} digits (the GSO code)");
            if (units.ContainsKey(code)) throw new ReferenceException(File, row.Line, $"code {code} appears twice (first on line {units[code].Line})");
            if (f[1].Length == 0) throw new ReferenceException(File, row.Line, $"unit {code} has no name");
            var region = f[4].Length == 0 ? null : f[4];
            if (region is not null && !ReferenceData.Regions.Contains(region))
                throw new ReferenceException(File, row.Line, $"region \"{region}\" is not one of {string.Join(", ", ReferenceData.Regions)}");
            var flags = f[5].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (flags.FirstOrDefault(x => !ReferenceData.Flags.Contains(x)) is { } badFlag)
                throw new ReferenceException(File, row.Line, $"flag \"{badFlag}\" is not one of {string.Join(", ", ReferenceData.Flags)}");
            int? group = null;
            if (hasGroup && f[6].Length > 0)
            {
                if (f[6] is not ("1" or "2" or "3") || level != UnitLevel.Commune)
                    throw new ReferenceException(File, row.Line, $"group \"{f[6]}\" must be 1, 2 or 3, and only for a commune");
                group = f[6][0] - '0';
            }
            units[code] = (new Unit(code, f[1], level, f[3].Length == 0 ? null : f[3], region, flags, group), row.Line);
        }

        var provinces = units.Values.Where(u => u.Unit.Level == UnitLevel.Province).ToList();
        if (provinces.Count != 1)
            throw new ReferenceException(File, provinces.Count > 1 ? provinces[1].Line : null, $"exactly one province is needed, found {provinces.Count}");

        foreach (var (unit, line) in units.Values)
        {
            var parentLevels = unit.Level switch
            {
                UnitLevel.Province => [],
                UnitLevel.District => new[] { UnitLevel.Province },
                _ => [UnitLevel.District, UnitLevel.Province],
            };
            if (unit.Level == UnitLevel.Province)
            {
                if (unit.ParentCode is not null) throw new ReferenceException(File, line, "the province has no parent");
                continue;
            }
            if (unit.ParentCode is null || !units.TryGetValue(unit.ParentCode, out var parent))
                throw new ReferenceException(File, line, $"parent \"{unit.ParentCode}\" of {unit.Code} is not in the file");
            if (!parentLevels.Contains(parent.Unit.Level))
                throw new ReferenceException(File, line, $"a {Word(unit.Level)} cannot sit under a {Word(parent.Unit.Level)} ({parent.Unit.Code})");
        }

        // An empty region inherits the parent's.
        string? RegionOf(Unit u) => u.Region ?? (u.ParentCode is null ? null : RegionOf(units[u.ParentCode].Unit));
        return units.Values.OrderBy(x => x.Line).Select(x => x.Unit with { Region = RegionOf(x.Unit) }).ToList();
    }

    private static string Word(UnitLevel level) => level.ToString().ToLowerInvariant();
}
