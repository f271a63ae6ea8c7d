using System.Globalization;
using NongThonMoi.Infrastructure;

namespace NongThonMoi.Programme;

/// <summary>
/// <c>mergers.csv</c> (optional): <c>effective,old_code,new_code</c> — from <c>effective</c>, unit <c>old_code</c> is part of
/// unit <c>new_code</c> (sáp nhập đơn vị hành chính). Checked against the unit versions of <c>units.csv</c>, so that the
/// unit list of every day is one the mergers lead to; each refusal names the file, the line and the reason.
/// </summary>
public static class MergersFile
{
    private const string File = "mergers.csv";
    private static readonly string[] Header = ["effective", "old_code", "new_code"];

    /// <summary>The rows of <paramref name="path"/>, or none when the file does not exist (a province without mergers).</summary>
    public static List<Merger> Parse(string path, IReadOnlyList<Unit> units)
    {
        if (!System.IO.File.Exists(path)) return [];
        List<Csv.Row> rows;
        try { rows = Csv.Read(System.IO.File.ReadAllText(path), ','); }
        catch (FormatException e) { throw new ReferenceException(File, null, e.Message); }
        if (rows.Count == 0) throw new ReferenceException(File, 1, "the file is empty; the header is " + string.Join(",", Header));
        if (!rows[0].Fields.Select(f => f.ToLowerInvariant()).SequenceEqual(Header))
            throw new ReferenceException(File, rows[0].Line, $"the header must be {string.Join(",", Header)}, not {string.Join(",", rows[0].Fields)}");

        var versions = units.ToLookup(u => u.Code);
        var mergers = new List<(Merger Merger, int Line)>();
        foreach (var row in rows.Skip(1))
        {
            var f = row.Fields;
            if (f.Count != Header.Length) throw new ReferenceException(File, row.Line, $"expected {Header.Length} fields, found {f.Count}");
            var effective = UnitsFile.ParseDate(f[0], "effective", row.Line, File)
                ?? throw new ReferenceException(File, row.Line, "effective is empty; it is the date yyyy-MM-dd the merger takes effect");
            var (oldCode, newCode) = (f[1], f[2]);
            foreach (var (code, column) in new[] { (oldCode, "old_code"), (newCode, "new_code") })
                if (!versions.Contains(code))
                    throw new ReferenceException(File, row.Line, $"{column} \"{code}\" is not in units.csv");
            var merger = new Merger(effective, oldCode, newCode);
            if (mergers.FirstOrDefault(m => m.Merger == merger) is { Merger: not null } twice)
                throw new ReferenceException(File, row.Line, $"the row appears twice (first on line {twice.Line})");

            // The old unit existed just before the merger, and the new one exists from it.
            var dayBefore = effective.AddDays(-1);
            if (!versions[oldCode].Any(u => u.ValidOn(dayBefore)))
                throw new ReferenceException(File, row.Line, $"old unit {oldCode} has no row in units.csv valid on {Day(dayBefore)}, the day before the merger");
            if (!versions[newCode].Any(u => u.ValidOn(effective)))
                throw new ReferenceException(File, row.Line, $"new unit {newCode} has no row in units.csv valid on {Day(effective)}");
            mergers.Add((merger, row.Line));
        }

        // On one date, unit A cannot go into B while B goes (directly or further on) into A.
        foreach (var date in mergers.Select(m => m.Merger.Effective).Distinct())
        {
            var edges = mergers.Where(m => m.Merger.Effective == date && m.Merger.OldCode != m.Merger.NewCode).ToList();
            var next = edges.ToLookup(m => m.Merger.OldCode);
            foreach (var start in edges)
            {
                var chain = new List<(Merger Merger, int Line)> { start };
                if (FindCycle(start.Merger.OldCode, start.Merger.NewCode, next, chain, []))
                    throw new ReferenceException(File, chain[^1].Line,
                        $"the mergers of {Day(date)} form a cycle: {start.Merger.OldCode} → {string.Join(" → ", chain.Select(p => p.Merger.NewCode))} (lines {string.Join(", ", chain.Select(p => p.Line))})");
            }
        }
        // A merged code ends the day before its merger, unless it carries on (it is also a new code of that date).
        var newCodes = mergers.Select(m => (m.Merger.Effective, m.Merger.NewCode)).ToHashSet();
        foreach (var (m, line) in mergers)
        {
            if (newCodes.Contains((m.Effective, m.OldCode))) continue;
            if (versions[m.OldCode].FirstOrDefault(u => u.ValidOn(m.Effective)) is { } still)
                throw new ReferenceException(File, line,
                    $"unit {m.OldCode} merged into {m.NewCode} from {Day(m.Effective)} is still valid on that day in units.csv ({UnitsFile.Span(still)}); " +
                    $"end it on {Day(m.Effective.AddDays(-1))}, or add the row {Day(m.Effective)},{m.OldCode},{m.OldCode} if its code carries on");
        }

        return mergers.Select(m => m.Merger).ToList();
    }

    private static bool FindCycle(string start, string at, ILookup<string, (Merger Merger, int Line)> next, List<(Merger Merger, int Line)> path, HashSet<string> seen)
    {
        if (at == start) return true;
        if (!seen.Add(at)) return false;
        foreach (var edge in next[at])
        {
            path.Add(edge);
            if (FindCycle(start, edge.Merger.NewCode, next, path, seen)) return true;
            path.RemoveAt(path.Count - 1);
        }
        return false;
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
