using System.Collections.Concurrent;
using NongThonMoi.Programme;

namespace NongThonMoi.Indicators;

/// <summary>
/// One commune's data as the figures use it: a row submitted for it, or — for a unit formed by a merger (đơn vị sau sáp
/// nhập) that has not reported yet — its predecessors' newest rows combined by <c>Reporting:MergerRule</c>, marked with
/// their codes in <see cref="DerivedFrom"/>. <see cref="Period"/> and <see cref="SubmissionId"/> are those of the newest row used.
/// A derived row also names the submitted rows it was combined from (<see cref="Parts"/>) and how (<see cref="Rule"/>), so a
/// snapshot can store those references instead of the row and rebuild it later (<see cref="SnapshotRepository.CommunesAsync"/>).
/// </summary>
public sealed record CommuneData(
    CommuneReport Row, string Period, Guid SubmissionId, IReadOnlyList<string>? DerivedFrom = null,
    IReadOnlyList<RowRef>? Parts = null, MergerRule? Rule = null)
{
    /// <summary>The submitted rows this data is made of: itself, or for a derived row every predecessor's row it combined.</summary>
    public IReadOnlyList<RowRef> Sources => Parts ?? [new RowRef(Row.Code, SubmissionId)];

    /// <summary>What a snapshot stores of this data: the rows it was made of, not the row.</summary>
    public CommuneSource Source => new(SubmissionId, Sources, DerivedFrom, Rule);
}

/// <summary>
/// The submission rows one commune's data was made of (<see cref="Rows"/>), as a snapshot references them
/// (<c>commune_sources</c>, <c>derived_rows</c>); for data inherited through a merger, the old codes and the rule that combined them.
/// </summary>
public sealed record CommuneSource(Guid SubmissionId, IReadOnlyList<RowRef> Rows, IReadOnlyList<string>? DerivedFrom = null, MergerRule? Rule = null);

/// <summary>One commune's row of one submission (a row of <c>submission_communes</c>).</summary>
public sealed record RowRef(string Code, Guid SubmissionId);

/// <summary>The periods <see cref="From"/>..<see cref="To"/> (From null: from the first) whose rows of <see cref="Code"/> are that unit's own.</summary>
public sealed record RowWindow(string Code, string? From, string To);

/// <summary>The communes' data of one period on one unit list, and every submission it was read from.</summary>
public sealed record MappedRows(IReadOnlyDictionary<string, CommuneData> Rows, IReadOnlySet<Guid> Used);

/// <summary>
/// Puts a period's data on the units of a given day (CONTRACT §8). A commune's own data is its newest row in the periods
/// since the unit took its present form (its last merger, or the first version of its code); a row sent under the same
/// code before a merger belongs to the old unit. A commune with no row of its own takes its predecessors' newest data, each
/// predecessor's data found the same way up to the period before the merger, recursively. With <see cref="MergerRule.All"/>
/// a criterion counts only if every predecessor met it, the status is the lowest, <c>recognized_year</c> the latest, and a
/// predecessor without data leaves the unit without data; with <see cref="MergerRule.Retained"/> the predecessor whose code
/// carries on gives its data. The same mapping serves the period itself, the previous period and the end of the previous
/// year, so every comparison is made on one unit list.
/// </summary>
/// <param name="firstPeriodFrom">The first period whose boundaries day (deadline day) is on or after a date.</param>
public sealed class MergerMapping(ReferenceData data, MergerRule rule, Func<DateOnly, ReportingPeriod> firstPeriodFrom)
{
    /// <summary>Mergers of mergers are followed this deep at most; the loader refuses cycles, so this only bounds the work.</summary>
    private const int MaxDepth = 16;

    /// <param name="candidates">Rows already at hand (the reporting units' newest submissions), used where they fall in a commune's window.</param>
    /// <param name="load">Reads the newest row of each window in one round trip; windows with none are left out of the answer.</param>
    public async Task<MappedRows> ResolveAsync(
        IReadOnlyList<Unit> communes, DateOnly boundaries, ReportingPeriod asOf, IReadOnlyDictionary<string, CommuneData> candidates,
        Func<IReadOnlyList<RowWindow>, Task<IReadOnlyDictionary<RowWindow, CommuneData>>> load)
    {
        var roots = communes.Select(c => NodeOf(c, boundaries, asOf)).ToList();
        foreach (var root in roots)
            if (root.Window is { } w && candidates.TryGetValue(root.Unit.Code, out var row) && Within(row.Period, w))
                root.Own = row;

        var pending = roots.Where(n => n.Own is null).ToList();
        for (var depth = 0; pending.Count > 0 && depth < MaxDepth; depth++)
        {
            var windows = pending.Select(n => n.Window).OfType<RowWindow>().Distinct().ToList();
            var found = windows.Count == 0 ? new Dictionary<RowWindow, CommuneData>() : await load(windows);
            var next = new List<Node>();
            foreach (var node in pending)
            {
                if (node.Window is { } w && found.TryGetValue(w, out var own))
                {
                    node.Own = own;
                    continue;
                }
                if (node.Merger is not { } merger) continue;
                // The old units' own data ends with the last period before the merger (or with asOf, if earlier).
                var before = firstPeriodFrom(merger.Effective).Previous;
                var cap = string.CompareOrdinal(before.Id, asOf.Id) < 0 ? before : asOf;
                var inheritFrom = rule == MergerRule.Retained ? merger.Retained is { } r ? [r] : [] : merger.Units;
                node.Children = inheritFrom.Select(u => NodeOf(u, merger.Effective.AddDays(-1), cap)).ToList();
                next.AddRange(node.Children);
            }
            pending = next;
        }

        var rows = new Dictionary<string, CommuneData>(roots.Count);
        var used = new HashSet<Guid>();
        foreach (var root in roots)
            if (ValueOf(root, used) is { } value) rows[root.Unit.Code] = value;
        return new MappedRows(rows, used);
    }

    private Node NodeOf(Unit unit, DateOnly day, ReportingPeriod upTo)
    {
        var (merger, from) = _origins.GetOrAdd((unit.Code, unit.ValidFrom, day), _ =>
        {
            var merger = data.PredecessorsOf(unit.Code, day);
            var since = merger?.Effective ?? ChainStart(unit);
            return (merger, since is { } d ? firstPeriodFrom(d).Id : null);
        });
        // A unit formed after the period asked for has no own rows in it (nor could a submission have named it then).
        var window = from is not null && string.CompareOrdinal(from, upTo.Id) > 0 ? null : new RowWindow(unit.Code, from, upTo.Id);
        return new Node(unit, window, merger);
    }

    /// <summary>
    /// What formed each unit and the first period of its own rows, by code, version and day: the same for the period, the
    /// previous period and the baseline, and for every recompute on one reference load. Working it out anew for 8,125
    /// communes three times a recompute was a third of the recompute's own CPU nationally (BENCHMARKS.md, finding 18).
    /// </summary>
    private readonly ConcurrentDictionary<(string Code, DateOnly? ValidFrom, DateOnly Day), (Predecessors? Merger, string? From)> _origins = new();

    /// <summary>
    /// The first day of a code's unbroken run of versions ending with <paramref name="unit"/> (a rename or a new parent keeps the
    /// data); null when the run has an open start. A code that comes back after a gap is another unit and starts afresh.
    /// </summary>
    private DateOnly? ChainStart(Unit unit)
    {
        var current = unit;
        while (current.ValidFrom is { } from
               && data.VersionsOf(unit.Code).FirstOrDefault(u => u.ValidTo == from.AddDays(-1)) is { } earlier)
            current = earlier;
        return current.ValidFrom;
    }

    private static bool Within(string period, RowWindow window) =>
        string.CompareOrdinal(period, window.To) <= 0 && (window.From is null || string.CompareOrdinal(period, window.From) >= 0);

    private CommuneData? ValueOf(Node node, HashSet<Guid> used)
    {
        if (node.Own is { } own)
        {
            used.Add(own.SubmissionId);
            return own;
        }
        if (node.Merger is not { } merger || node.Children is not { Count: > 0 } children) return null;
        var values = children.Select(c => ValueOf(c, used)).ToList();
        if (values.Any(v => v is null)) return null;
        var parts = values.Select(v => v!).ToList();
        var derivedFrom = merger.Units.Select(u => u.Code).Order(StringComparer.Ordinal).ToList();
        var newest = parts.MaxBy(p => p.Period, StringComparer.Ordinal)!;
        if (rule == MergerRule.Retained)
            return new CommuneData(parts[0].Row with { Code = node.Unit.Code }, parts[0].Period, parts[0].SubmissionId, derivedFrom,
                parts[0].Sources, rule);
        var combined = Combine(node.Unit.Code, parts.Select(p => (p.Row, p.Period)).ToList());
        // A merger of mergers combines the leaves' rows the same way (intersection, lowest, latest and newest are associative,
        // and the first newest leaf in order is the first newest of the first newest part), so the leaves alone rebuild it.
        return new CommuneData(combined.Row, combined.Period, newest.SubmissionId, derivedFrom, parts.SelectMany(p => p.Sources).ToList(), rule);
    }

    /// <summary>
    /// <see cref="MergerRule.All"/>: a criterion counts only if every part met it, the lowest status, the latest
    /// <c>recognized_year</c>; the period is the newest part's.
    /// </summary>
    internal static (CommuneReport Row, string Period) Combine(string code, IReadOnlyList<(CommuneReport Row, string Period)> parts)
    {
        var criteria = parts.Skip(1).Aggregate(parts[0].Row.CriteriaMet.AsEnumerable(), (met, p) => met.Intersect(p.Row.CriteriaMet))
            .Order().ToList();
        var status = parts.Select(p => p.Row.Status).MinBy(Rank)!;
        var year = parts.Max(p => p.Row.RecognizedYear);
        var newest = parts.MaxBy(p => p.Period, StringComparer.Ordinal);
        return (new CommuneReport(code, status, year, criteria), newest.Period);
    }

    /// <summary>chua-dat &lt; dat-chuan &lt; nang-cao &lt; kieu-mau &lt; hien-dai; an unknown status ranks lowest.</summary>
    private static int Rank(string status)
    {
        for (var i = 0; i < Statuses.All.Count; i++)
            if (Statuses.All[i] == status) return i;
        return -1;
    }

    private sealed class Node(Unit unit, RowWindow? window, Predecessors? merger)
    {
        public Unit Unit => unit;
        public RowWindow? Window => window;
        public Predecessors? Merger => merger;
        public CommuneData? Own { get; set; }
        public List<Node>? Children { get; set; }
    }
}
