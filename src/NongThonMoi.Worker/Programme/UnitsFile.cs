using System.Globalization;
using NongThonMoi.Infrastructure;

namespace NongThonMoi.Programme;

/// <summary>
/// <c>units.csv</c>: <c>code,name,level,parent,region,flags</c> and, optionally, <c>group</c> — the commune group
/// (nhóm xã 1/2/3) that the 2026–2030 criteria set uses for its thresholds — and <c>valid_from</c>, <c>valid_to</c>
/// (<c>yyyy-MM-dd</c>, empty = open): when units merge (sáp nhập đơn vị hành chính), the file lists every version of
/// every unit the data covers, one row per version, and a code may then appear more than once if its dates do not overlap.
/// </summary>
public static class UnitsFile
{
    private const string File = "units.csv";
    private static readonly string[] Header = ["code", "name", "level", "parent", "region", "flags"];
    private static readonly string[] Optional = ["group", "valid_from", "valid_to"];

    public static List<Unit> Parse(string path)
    {
        if (!System.IO.File.Exists(path)) throw new ReferenceException(File, null, $"the file is missing ({path})");
        List<Csv.Row> rows;
        try { rows = Csv.Read(System.IO.File.ReadAllText(path), ','); }
        catch (FormatException e) { throw new ReferenceException(File, null, e.Message); }
        if (rows.Count == 0) throw new ReferenceException(File, 1, "the file is empty; the header is " + string.Join(",", Header));

        var header = rows[0].Fields.Select(f => f.ToLowerInvariant()).ToArray();
        var extra = header.Skip(Header.Length).ToArray();
        if (!header.Take(Header.Length).SequenceEqual(Header) || header.Length < Header.Length
            || extra.Any(x => !Optional.Contains(x)) || extra.Distinct().Count() != extra.Length)
            throw new ReferenceException(File, rows[0].Line,
                $"the header must be {string.Join(",", Header)}[,group][,valid_from,valid_to], not {string.Join(",", rows[0].Fields)}");
        var groupColumn = Array.IndexOf(header, "group");
        var fromColumn = Array.IndexOf(header, "valid_from");
        var toColumn = Array.IndexOf(header, "valid_to");

        var units = new List<(Unit Unit, int Line)>();
        var byCode = new Dictionary<string, List<(Unit Unit, int Line)>>();
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
            if (f[1].Length == 0) throw new ReferenceException(File, row.Line, $"unit {code} has no name");
            var region = f[4].Length == 0 ? null : f[4];
            if (region is not null && !ReferenceData.Regions.Contains(region))
                throw new ReferenceException(File, row.Line, $"region \"{region}\" is not one of {string.Join(", ", ReferenceData.Regions)}");
            var flags = f[5].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (flags.FirstOrDefault(x => !ReferenceData.Flags.Contains(x)) is { } badFlag)
                throw new ReferenceException(File, row.Line, $"flag \"{badFlag}\" is not one of {string.Join(", ", ReferenceData.Flags)}");
            int? group = null;
            if (groupColumn >= 0 && f[groupColumn].Length > 0)
            {
                if (f[groupColumn] is not ("1" or "2" or "3") || level != UnitLevel.Commune)
                    throw new ReferenceException(File, row.Line, $"group \"{f[groupColumn]}\" must be 1, 2 or 3, and only for a commune");
                group = f[groupColumn][0] - '0';
            }
            var from = fromColumn >= 0 ? ParseDate(f[fromColumn], "valid_from", row.Line) : null;
            var to = toColumn >= 0 ? ParseDate(f[toColumn], "valid_to", row.Line) : null;
            if (from > to) throw new ReferenceException(File, row.Line, $"unit {code}: valid_from {from:yyyy-MM-dd} is after valid_to {to:yyyy-MM-dd}");

            var unit = new Unit(code, f[1], level, f[3].Length == 0 ? null : f[3], region, flags, group, from, to);
            if (byCode.TryGetValue(code, out var versions))
            {
                // One row per version of a code: their dates must not overlap, or a date would have two units of one code.
                if (versions.FirstOrDefault(v => Overlap(v.Unit, unit)) is { Unit: not null } other)
                    throw new ReferenceException(File, row.Line, from is null && to is null && other.Unit.ValidFrom is null && other.Unit.ValidTo is null
                        ? $"code {code} appears twice (first on line {other.Line})"
                        : $"code {code}: validity {Span(unit)} overlaps its row on line {other.Line} ({Span(other.Unit)})");
            }
            else byCode[code] = versions = [];
            versions.Add((unit, row.Line));
            units.Add((unit, row.Line));
        }

        var provinces = units.Where(u => u.Unit.Level == UnitLevel.Province).ToList();
        if (provinces.Select(p => p.Unit.Code).Distinct().Count() != 1)
            throw new ReferenceException(File, provinces.Count > 1 ? provinces[1].Line : null,
                $"exactly one province is needed, found {provinces.Select(p => p.Unit.Code).Distinct().Count()}");

        foreach (var (unit, line) in units)
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
            if (unit.ParentCode is null || !byCode.TryGetValue(unit.ParentCode, out var parents))
                throw new ReferenceException(File, line, $"parent \"{unit.ParentCode}\" of {unit.Code} is not in the file");
            // The parent must exist on the first and the last day of the child's version (an open end is an open end).
            var atStart = parents.FirstOrDefault(p => Covers(p.Unit, unit.ValidFrom, startSide: true));
            var atEnd = parents.FirstOrDefault(p => Covers(p.Unit, unit.ValidTo, startSide: false));
            if (atStart.Unit is null || atEnd.Unit is null)
                throw new ReferenceException(File, line, $"parent {unit.ParentCode} of {unit.Code} is not valid for the whole of {Span(unit)}");
            foreach (var parent in new[] { atStart, atEnd })
                if (!parentLevels.Contains(parent.Unit.Level))
                    throw new ReferenceException(File, line, $"a {Word(unit.Level)} cannot sit under a {Word(parent.Unit.Level)} ({parent.Unit.Code})");
        }

        // An empty region inherits the parent's (the parent's version in force when the child's version starts).
        string? RegionOf(Unit u)
        {
            if (u.Region is not null || u.ParentCode is null) return u.Region;
            return RegionOf(byCode[u.ParentCode].First(p => Covers(p.Unit, u.ValidFrom, startSide: true)).Unit);
        }
        return units.Select(x => x.Unit with { Region = RegionOf(x.Unit) }).ToList();
    }

    /// <summary>A <c>yyyy-MM-dd</c> date of a reference file, or null when empty; <paramref name="file"/> names it in the refusal.</summary>
    internal static DateOnly? ParseDate(string text, string column, int line, string file = File)
    {
        if (text.Length == 0) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        throw new ReferenceException(file, line, $"{column} \"{text}\" is not a date yyyy-MM-dd");
    }

    private static bool Overlap(Unit a, Unit b) =>
        (a.ValidFrom ?? DateOnly.MinValue) <= (b.ValidTo ?? DateOnly.MaxValue) && (b.ValidFrom ?? DateOnly.MinValue) <= (a.ValidTo ?? DateOnly.MaxValue);

    /// <summary>Whether <paramref name="u"/> is valid on <paramref name="day"/>; a null day is the open start or the open end.</summary>
    private static bool Covers(Unit u, DateOnly? day, bool startSide) =>
        day is { } d ? u.ValidOn(d) : startSide ? u.ValidFrom is null : u.ValidTo is null;

    internal static string Span(Unit u) => $"{u.ValidFrom?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "…"} – {u.ValidTo?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "…"}";

    private static string Word(UnitLevel level) => level.ToString().ToLowerInvariant();
}
