using System.Text.Json;
using NongThonMoi.Programme;
using Npgsql;

namespace NongThonMoi.Indicators;

/// <summary>
/// Communes counted by PostgreSQL, grouped three ways (each array pair is a value and how many communes have it): by status
/// (with how many of those were recognised in the period's year), by number of criteria met, and by criterion met.
/// <see cref="IndicatorCalculator"/>'s tally applies the same rules to these groups as to single rows, so what counts as
/// standard, advanced or in a band is decided in one place.
/// </summary>
public sealed record CommuneCounts(
    string[] Statuses, int[] ByStatus, int[] NewByStatus, int[] CriteriaCounts, int[] ByCriteriaCount, int[] Criteria, int[] ByCriterion)
{
    public static readonly CommuneCounts None = new([], [], [], [], [], [], []);
}

/// <summary>
/// What PostgreSQL counted for a calculation (<see cref="SnapshotRepository.LoadTalliedInputAsync"/>): the communes whose own row
/// the reporting units' newest submissions hold, counted per reporting unit (<see cref="Units"/>, without criteria: no unit's
/// figures list them), their criteria met province-wide (<see cref="Criteria"/>), the baseline's criteria counts, and for each
/// of them the submission its row is from (<see cref="Sources"/>), which a snapshot stores as its reference.
/// </summary>
public sealed record TalliedCounts(
    IReadOnlyDictionary<string, CommuneCounts> Units, CommuneCounts Criteria, CommuneCounts Baseline, IReadOnlyDictionary<string, Guid> Sources);

/// <summary>
/// The recompute's one statement (issue 18: the aggregation done in PostgreSQL). It finds, like the row-by-row load, the newest
/// current submission of every reporting unit up to the period, up to the previous period and up to the end of the previous
/// year; then, instead of sending every commune's row of each (3 × 8,125 rows nationally), it counts in PostgreSQL the
/// communes whose row it can attribute as <see cref="MergerMapping"/> would (the last head in unit order holding the code, in
/// the commune's window) and sends back only: the heads, the counts, each counted commune's source, the rows that may raise a
/// data-quality warning (a superset of them: <see cref="DataQuality"/> still judges each), the previous rows those are compared
/// with, and the communes it could not attribute, for <see cref="MergerMapping"/> to find as before.
/// </summary>
internal static class TalliedLoad
{
    /// <param name="Communes">The period's communes in the calculator's order, with their reporting unit and window start.</param>
    public sealed record Query(
        string[] Units, ReportingPeriod Period, ReportingPeriod Baseline, string Pattern, CriteriaSet Set,
        string[] Communes, string[] CommuneUnits, string?[] WindowStarts);

    /// <param name="Heads">Every unit's head at k = 0 (period), 1 (previous period), 2 (baseline), in unit order, data on k = 0.</param>
    /// <param name="Checked">Counted communes whose row may raise a warning, with that row.</param>
    /// <param name="Previous">The previous period's row, where attributed, of every commune in <see cref="Checked"/> or not counted.</param>
    /// <param name="Unattributed">For each k, the positions of the communes (in the query's order) whose row was not attributed.</param>
    public sealed record Result(
        List<UnitReport>[] Heads, TalliedCounts Counts, Dictionary<string, CommuneData> Checked, Dictionary<string, CommuneData> Previous,
        List<int>[] Unattributed, DateTimeOffset? Newest);

    // Row kinds of the statement's answer, in the order they come.
    private const int Head = 0, UnitCounts = 1, Totals = 2, Attribution = 3, CheckedRow = 4, PreviousRow = 5;

    private const string Sql = """
        set local jit = off;
        with newest as (
            select u.code as unit_code, h.period, h.submission_id, h.late, h.received_at,
                   row_number() over (partition by u.code order by h.period desc) as n
            from unnest(@units) as u(code)
            cross join lateral (
                select period, submission_id, late, received_at from current_submissions
                where unit_code = u.code and period <= @period and period ~ @pattern
                order by period desc limit 2) h),
        heads as (
            select 0 as k, unit_code, period, submission_id, late, received_at from newest where n = 1
            union all
            select 1, t.unit_code, t.period, t.submission_id, t.late, t.received_at from newest t
            where t.n = case when exists (select from newest f where f.unit_code = t.unit_code and f.n = 1 and f.period = @period) then 2 else 1 end
            union all
            select 2, h.unit_code, h.period, h.submission_id, h.late, h.received_at
            from unnest(@units) as u(code)
            cross join lateral (
                select unit_code, period, submission_id, late, received_at from current_submissions
                where unit_code = u.code and period <= @baseline and period ~ @pattern
                order by period desc limit 1) h),
        numbered as (
            select h.*, row_number() over (partition by k order by unit_code) as hi from heads h),
        -- The period and the one before count only data of the period's criteria set (criteria sets cover whole years);
        -- the baseline is averaged whatever its set.
        usable as (
            select * from numbered where k = 2 or left(period, 4)::int between @year_from and @year_to),
        communes as (
            select * from unnest(@communes, @commune_units, @window_starts) with ordinality as c(code, unit, window_start, i)),
        -- Each code's row at each k from the last head in unit order that holds it (IndicatorCalculator.ByCommune), then
        -- kept where it falls in the commune's window (MergerMapping: a row sent under the code before its last merger is
        -- the old unit's).
        candidate as (
            select distinct on (h.k, c.commune_code) h.k, h.hi, h.period, h.submission_id, c.commune_code, c.status,
                   c.recognized_year, c.criteria_met, c.indicators
            from usable h join submission_communes c on c.submission_id = h.submission_id
            order by h.k, c.commune_code, h.unit_code desc),
        attributed as (
            select m.i, m.unit, r.* from communes m join candidate r on r.commune_code = m.code
            where m.window_start is null or r.period >= m.window_start),
        now_rows as (select * from attributed where k = 0),
        before_rows as (select * from attributed where k = 1),
        -- Every row DataQuality.Check could warn about, and more: a standard commune short of a criterion, raw indicator
        -- values, fewer criteria than the previous period's row, or no previous row attributed here (the mapping finds it).
        checked as (
            select r.* from now_rows r left join before_rows b on b.i = r.i
            where (r.status <> @not_met and cardinality(r.criteria_met) < @criteria) or r.indicators is not null or b.i is null
               or (b.submission_id <> r.submission_id and cardinality(b.criteria_met) > cardinality(r.criteria_met))),
        by_status as (
            select unit, status, count(*)::int as n, (count(*) filter (where recognized_year = @year))::int as new_n
            from now_rows group by unit, status),
        by_count as (
            select k, unit, cardinality(criteria_met) as c, count(*)::int as n from attributed where k in (0, 2) group by k, unit, c),
        -- Criteria met are counted for the province only: no unit's figures list them.
        by_criterion as (
            select m::int as c, count(*)::int as n from now_rows, unnest(criteria_met) m group by m),
        units as (
            select s.unit, s.statuses, s.status_n, s.status_new, c.counts, c.count_n
            from (select unit, array_agg(status order by status) as statuses, array_agg(n order by status) as status_n,
                         array_agg(new_n order by status) as status_new from by_status group by unit) s
            join (select unit, array_agg(c order by c) as counts, array_agg(n order by c) as count_n from by_count where k = 0 group by unit) c
                on c.unit = s.unit)
        select kind, k, i, unit, period, sid, late, at, status, year, met, ind, names, a, b, c, d, e, f, codes, vals from (
            select 0 as kind, h.k, h.hi::int as i, h.unit_code as unit, h.period, h.submission_id as sid, h.late, h.received_at as at,
                   null::text as status, null::int as year, null::smallint[] as met, null::text as ind, null::text[] as names,
                   null::int[] as a, null::int[] as b, null::int[] as c, null::int[] as d, null::int[] as e, null::int[] as f,
                   d.codes, d.vals
            from numbered h
            left join lateral (
                select array_agg(element_code) as codes, array_agg(value) as vals from submission_data
                where submission_id = h.submission_id and h.k = 0) d on true
            union all
            select 1, 0, null, u.unit, null, null, null, null, null, null, null, null, u.statuses,
                   u.status_n, u.status_new, u.counts, u.count_n, null, null, null, null
            from units u
            union all
            select 2, 0, null, null, null, null, null, null, null, null, null, null, null,
                   null, null, null, null, (select array_agg(c order by c) from by_criterion), (select array_agg(n order by c) from by_criterion),
                   null, null
            union all
            select 2, 2, null, null, null, null, null, null, null, null, null, null, null,
                   null, null, array_agg(c order by c), array_agg(n order by c), null, null, null, null
            from (select c, sum(n)::int as n from by_count where k = 2 group by c) b
            union all
            -- For each k, beside each commune the head whose row it was attributed (its position among the k's heads), or 0.
            select 3, k.k, null, null, null, null, null, null, null, null, null, null, null,
                   (select array_agg(coalesce(a.hi, 0)::int order by m.i) from communes m left join attributed a on a.k = k.k and a.i = m.i),
                   null, null, null, null, null, null, null
            from (values (0), (1), (2)) as k(k)
            union all
            select 4, 0, r.i::int, null, r.period, r.submission_id, null, null, r.status, r.recognized_year, r.criteria_met,
                   r.indicators::text, null, null, null, null, null, null, null, null, null
            from checked r
            union all
            select 5, 1, b.i::int, null, b.period, b.submission_id, null, null, b.status, b.recognized_year, b.criteria_met,
                   null, null, null, null, null, null, null, null, null, null
            from before_rows b
            where exists (select from checked r where r.i = b.i) or not exists (select from now_rows r where r.i = b.i)
        ) answer
        order by kind, k, i
        """;

    public static async Task<Result> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Query q, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(Sql, connection, transaction);
        var p = command.Parameters;
        p.AddWithValue("units", q.Units);
        p.AddWithValue("period", q.Period.Id);
        p.AddWithValue("baseline", q.Baseline.Id);
        p.AddWithValue("pattern", q.Pattern);
        p.AddWithValue("year_from", q.Set.YearFrom);
        p.AddWithValue("year_to", q.Set.YearTo);
        p.AddWithValue("communes", q.Communes);
        p.AddWithValue("commune_units", q.CommuneUnits);
        p.AddWithValue("window_starts", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text, q.WindowStarts);
        p.AddWithValue("not_met", Statuses.NotMet);
        p.AddWithValue("criteria", q.Set.Count);
        p.AddWithValue("year", q.Period.Year);

        List<UnitReport>[] heads = [[], [], []];
        var units = new Dictionary<string, CommuneCounts>();
        var baseline = CommuneCounts.None;
        var criteria = CommuneCounts.None;
        var attributed = new int[3][];
        var checkedRows = new Dictionary<string, CommuneData>();
        var previous = new Dictionary<string, CommuneData>();
        DateTimeOffset? newest = null;

        await using var reader = await command.ExecuteReaderAsync(ct);
        // The statement's first result is the `set local`'s (no rows).
        while (!reader.IsClosed && reader.FieldCount == 0 && await reader.NextResultAsync(ct)) { }
        while (await reader.ReadAsync(ct))
        {
            var k = reader.GetInt32(1);
            switch (reader.GetInt32(0))
            {
                case Head:
                    var data = NoData;
                    if (!reader.IsDBNull(19) && !reader.IsDBNull(20))
                    {
                        var codes = reader.GetFieldValue<string[]>(19);
                        var values = reader.GetFieldValue<decimal[]>(20);
                        var sums = new Dictionary<string, decimal>(codes.Length);
                        for (var j = 0; j < codes.Length; j++) sums[codes[j]] = values[j];
                        data = sums;
                    }
                    heads[k].Add(new UnitReport(reader.GetString(3), reader.GetString(4), reader.GetGuid(5), reader.GetBoolean(6), [], data));
                    var at = reader.GetFieldValue<DateTimeOffset>(7);
                    if (k == 0 && (newest is null || at > newest)) newest = at;
                    break;
                case UnitCounts:
                    units[reader.GetString(3)] = CommuneCounts.None with
                    {
                        Statuses = reader.GetFieldValue<string[]>(12),
                        ByStatus = Ints(reader, 13),
                        NewByStatus = Ints(reader, 14),
                        CriteriaCounts = Ints(reader, 15),
                        ByCriteriaCount = Ints(reader, 16),
                    };
                    break;
                case Totals when k == 0:
                    criteria = CommuneCounts.None with { Criteria = Ints(reader, 17), ByCriterion = Ints(reader, 18) };
                    break;
                case Totals:
                    baseline = CommuneCounts.None with { CriteriaCounts = Ints(reader, 15), ByCriteriaCount = Ints(reader, 16) };
                    break;
                case Attribution:
                    attributed[k] = Ints(reader, 13);
                    break;
                case CheckedRow or PreviousRow:
                    var i = reader.GetInt32(2) - 1;
                    var code = q.Communes[i];
                    var row = new CommuneData(new CommuneReport(code, reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetInt32(9),
                            Array.ConvertAll(reader.GetFieldValue<short[]>(10), n => (int)n),
                            reader.IsDBNull(11) ? null : JsonSerializer.Deserialize<Dictionary<string, decimal>>(reader.GetString(11))),
                        reader.GetString(4), reader.GetGuid(5));
                    (reader.GetInt32(0) == CheckedRow ? checkedRows : previous)[code] = row;
                    break;
            }
        }

        var sources = new Dictionary<string, Guid>(q.Communes.Length);
        List<int>[] missing = [[], [], []];
        for (var k = 0; k < 3; k++)
            for (var i = 0; i < q.Communes.Length; i++)
            {
                if (attributed[k][i] == 0) missing[k].Add(i);
                else if (k == 0) sources[q.Communes[i]] = heads[0][attributed[0][i] - 1].SubmissionId;
            }
        return new Result(heads, new TalliedCounts(units, criteria, baseline, sources), checkedRows, previous, missing, newest);
    }

    private static int[] Ints(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? [] : reader.GetFieldValue<int[]>(column);

    private static readonly IReadOnlyDictionary<string, decimal> NoData = new Dictionary<string, decimal>();
}
