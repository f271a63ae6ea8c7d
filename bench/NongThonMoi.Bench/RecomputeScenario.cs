using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NongThonMoi.Indicators;
using NongThonMoi.Programme;
using Npgsql;

namespace NongThonMoi.Bench;

/// <summary>
/// The national snapshot of one period through the worker's own RecomputeJob (load, calculate, store), and the limit:
/// one hand-written SQL statement computing the same figures inside PostgreSQL (carry-forward, last-year baseline,
/// bands, per-criterion and per-unit counts, submission counts, data sums).
/// </summary>
public static class RecomputeScenario
{
    /// <param name="Merger">The "recompute across a merger" line: the period in which merged units first count, null without a merger.</param>
    /// <param name="LimitOnce">One more run of the limit statement (ms), for a figure measured later that takes turns with it.</param>
    public sealed record Outcome(double MedianMs, double LimitMedianMs, double LoadMs, double CalculateMs, double SaveMs, string Agreement,
        Func<Task<double>> LimitOnce, MergerOutcome? Merger = null);

    /// <summary>
    /// The same job for the period of the reference's newest merger: units formed by it inherit their predecessors' rows
    /// (the districts concerned did not report that week), and the previous period and the baseline are mapped across it.
    /// </summary>
    public sealed record MergerOutcome(string Period, double MedianMs, double LoadMs, double CalculateMs, double SaveMs, int Derived)
    {
        public override string ToString() =>
            $"recompute across a merger ({Period}, {Derived} communes inherited): median {MedianMs:0.0} ms; load {LoadMs:0} ms, calculate {CalculateMs:0} ms, store {SaveMs:0} ms";
    }

    private const int WarmUps = 40;

    public static async Task<Outcome> RunAsync(BenchHost host, ReportingPeriod period, int runs)
    {
        var calendar = host.Get<ReportingCalendar>();
        var repository = host.Get<SnapshotRepository>();
        var job = () => host.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(period, onlyIfChanged: false, CancellationToken.None));
        await using var dataSource = NpgsqlDataSource.Create(host.ConnectionString);
        var sizeBefore = await TableSizeAsync(dataSource);

        // Warm-up: JIT, plans, and the rows the job keeps (ArchivedRows); timed apart as the cold figure.
        var kept = host.Get<ArchivedRows>();
        var coldWatch = Stopwatch.StartNew();
        await job();
        var cold = coldWatch.Elapsed.TotalMilliseconds;
        var coldRows = kept.RowsRead;
        // Then enough runs for the runtime to compile the job's code at its top tier (a method is recompiled after 30
        // calls): the worker computes all day. With one warm-up the calculation took ~30 ms here against ~9 ms of CPU in
        // the worker process (BENCHMARKS.md, 2 December).
        for (var i = 0; i < WarmUps; i++) await job();
        var times = new List<double>();
        CalculationResult? last = null;
        var inner = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            last = await job();
            times.Add(watch.Elapsed.TotalMilliseconds);
            // The job's own timer starts once it holds the period's lock.
            inner.Add((host.Get<RecomputeTimings>().Read().LastSeconds ?? 0) * 1000);
        }

        // Where the time goes: the job's lock, and its three steps timed apart.
        List<double> load = [], calc = [], save = [], locking = [];
        for (var i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            await using (await repository.LockPeriodAsync(period.Id, CancellationToken.None))
                locking.Add(watch.Elapsed.TotalMilliseconds);
            await StepsAsync(repository, calendar, period, load, calc, save);
        }

        // Every run above stored one snapshot (warm-up, runs, the three timed apart): the table's growth per snapshot is
        // what a period costs on disk, TOAST compression included, page granularity averaged out.
        var warmRows = kept.RowsRead - coldRows;
        // What the kept rows weigh: the live heap with them and without them, after full collections.
        var (keptCount, withRows) = (kept.Count, GC.GetTotalMemory(forceFullCollection: true));
        kept.Clear();
        var keptBytes = withRows - GC.GetTotalMemory(forceFullCollection: true);
        await job(); // and back as the worker would hold them
        var stored = 1 + WarmUps + runs + 3 + 1;
        var growth = (await TableSizeAsync(dataSource) - sizeBefore) / (double)stored;
        var storage = $"storage per snapshot {growth / 1024:0.0} KB (table growth over {stored}); last row's columns: {await ColumnSizesAsync(dataSource)}";

        var data = await host.Get<ReferenceStore>().LoadAsync(CancellationToken.None);
        var set = data.CriteriaSets.First(s => s.AppliesTo(period.Year));
        var sql = LimitSql(set);
        var units = data.ReportingUnitsAt(UnitLevel.District).Select(u => u.Code).ToArray();
        string json = "";
        async Task<double> LimitOnce()
        {
            var watch = Stopwatch.StartNew();
            // Its own connection (pooled by the connection string): it is also called after this method, from
            // BenchProgram, when the data source above has been disposed.
            await using var connection = new NpgsqlConnection(host.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("units", units);
            command.Parameters.AddWithValue("period", period.Id);
            command.Parameters.AddWithValue("set_from", set.YearFrom.ToString(CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("baseline", period.EndOfPreviousYear.Id);
            command.Parameters.AddWithValue("year", period.Year);
            command.Parameters.AddWithValue("pattern", @"^\d{4}-W\d{2}$");
            json = (string)(await command.ExecuteScalarAsync())!;
            return watch.Elapsed.TotalMilliseconds;
        }
        await LimitOnce();
        var limits = new List<double>();
        for (var i = 0; i < runs; i++) limits.Add(await LimitOnce());

        var merger = await MergerAsync(host, calendar, repository, data, period, runs);
        return new Outcome(Median(times), Median(limits), Median(load), Median(calc), Median(save),
            $"the job's own timer (after its lock) {Median(inner):0} ms; lock {Median(locking):0.0} ms; " +
            $"first run (cold: JIT, plans, no rows kept) {cold:0} ms reading {coldRows:N0} commune rows, the {WarmUps + runs + 3} later runs {warmRows:N0} in all; " +
            $"kept: {keptCount:N0} submissions, {keptBytes / 1048576.0:0.0} MB of live heap; " +
            Compare(last!.Snapshot, json) + "; " + storage, LimitOnce, merger);
    }

    private static async Task<MergerOutcome?> MergerAsync(
        BenchHost host, ReportingCalendar calendar, SnapshotRepository repository, ReferenceData data, ReportingPeriod current, int runs)
    {
        if (data.Mergers.Count == 0) return null;
        var period = calendar.FirstPeriodFrom(data.Mergers.Max(m => m.Effective), current.Cycle);
        var job = () => host.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(period, onlyIfChanged: false, CancellationToken.None));
        var first = await job(); // warm-up
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await job();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        List<double> load = [], calc = [], save = [];
        for (var i = 0; i < 3; i++) await StepsAsync(repository, calendar, period, load, calc, save);
        return new MergerOutcome(period.Id, Median(times), Median(load), Median(calc), Median(save),
            first!.Sources!.Count(c => c?.DerivedFrom is not null));
    }

    /// <summary>The job's three steps — load, calculate, store — each timed apart, added to the three lists.</summary>
    private static async Task StepsAsync(SnapshotRepository repository, ReportingCalendar calendar, ReportingPeriod period,
        List<double> load, List<double> calc, List<double> save)
    {
        var watch = Stopwatch.StartNew();
        var input = await repository.LoadInputAsync(period, calendar.Now, CancellationToken.None);
        load.Add(watch.Elapsed.TotalMilliseconds);
        watch.Restart();
        var result = IndicatorCalculator.Calculate(input);
        calc.Add(watch.Elapsed.TotalMilliseconds);
        watch.Restart();
        await repository.SaveAsync(result, input.NewestReceived, SnapshotRepository.SubmissionsUsed(input), CancellationToken.None);
        save.Add(watch.Elapsed.TotalMilliseconds);
    }

    private static async Task<long> TableSizeAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("select pg_total_relation_size('snapshots')");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>pg_column_size of each column of the newest snapshot row: its stored size, compressed where TOAST compressed it.</summary>
    private static async Task<string> ColumnSizesAsync(NpgsqlDataSource dataSource)
    {
        var columns = new List<string>();
        await using (var list = dataSource.CreateCommand(
            "select column_name from information_schema.columns where table_name = 'snapshots' order by ordinal_position"))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) columns.Add(reader.GetString(0));
        // Column names come from the catalog, not from input.
        var sizes = string.Join(", ", columns.Select(c => $"coalesce(pg_column_size(\"{c}\"), 0)"));
        await using var command = dataSource.CreateCommand($"select array[{sizes}] from snapshots order by id desc limit 1");
        var values = (int[])(await command.ExecuteScalarAsync())!;
        return string.Join(", ", columns.Zip(values, (c, v) => $"{c} {v:N0} B")) + $" = {values.Sum() / 1024.0:0.0} KB";
    }

    /// <summary>The same figures in one statement; the bands are spelled out from the criteria set in force.</summary>
    public static string LimitSql(CriteriaSet set)
    {
        var bands = string.Join(", ", set.Bands.Select(b => $"count(*) filter (where criteria_count between {b.Min} and {b.Max})"));
        return $$"""
            with heads as (
                select h.* from unnest(@units) as u(code) cross join lateral (
                    select unit_code, period, submission_id, late from current_submissions
                    where unit_code = u.code and period <= @period and period >= @set_from and period ~ @pattern
                    order by period desc limit 1) h),
            rows as (
                select h.unit_code, c.status, c.recognized_year, c.criteria_met, c.criteria_count
                from heads h join submission_communes c on c.submission_id = h.submission_id),
            base as (
                select c.criteria_count
                from unnest(@units) as u(code) cross join lateral (
                    select submission_id from current_submissions
                    where unit_code = u.code and period <= @baseline and period ~ @pattern
                    order by period desc limit 1) b
                join submission_communes c on c.submission_id = b.submission_id),
            units as (
                select unit_code, count(*) as with_data,
                       count(*) filter (where status <> 'chua-dat') as standard,
                       count(*) filter (where status <> 'chua-dat' and recognized_year = @year) as new_standard,
                       count(*) filter (where status in ('nang-cao', 'kieu-mau')) as advanced,
                       count(*) filter (where status = 'kieu-mau') as model,
                       count(*) filter (where status = 'hien-dai') as modern,
                       round(avg(criteria_count), 2) as avg_criteria,
                       array[{{bands}}] as bands
                from rows group by unit_code)
            select json_build_object(
                'with_data', (select count(*) from rows),
                'standard', (select count(*) filter (where status <> 'chua-dat') from rows),
                'new_standard', (select count(*) filter (where status <> 'chua-dat' and recognized_year = @year) from rows),
                'advanced', (select count(*) filter (where status in ('nang-cao', 'kieu-mau')) from rows),
                'modern', (select count(*) filter (where status = 'hien-dai') from rows),
                'avg_criteria', (select round(avg(criteria_count), 2) from rows),
                'avg_criteria_prev_year', (select round(avg(criteria_count), 2) from base),
                'bands', (select array[{{bands}}] from rows),
                'criteria', (select json_object_agg(n, met order by n) from (select n, count(*) as met from rows, unnest(criteria_met) n group by n) x),
                'units', (select json_agg(u order by unit_code) from units u),
                'on_time', (select count(*) filter (where period = @period and not late) from heads),
                'late', (select count(*) filter (where period = @period and late) from heads),
                'data', (select json_object_agg(element_code, total) from (
                    select element_code, sum(value) as total from heads h join submission_data d on d.submission_id = h.submission_id
                    group by element_code) d))::text
            """;
    }

    private static string Compare(IndicatorSnapshot s, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        var p = s.Province;
        var checks = new (string Name, string Worker, string Sql)[]
        {
            ("with data", (p.Communes - p.CommunesWithoutData).ToString(CultureInfo.InvariantCulture), r.GetProperty("with_data").ToString()),
            ("standard", p.Standard.ToString(CultureInfo.InvariantCulture), r.GetProperty("standard").ToString()),
            ("new this year", p.NewStandardThisYear.ToString(CultureInfo.InvariantCulture), r.GetProperty("new_standard").ToString()),
            ("avg", p.AvgCriteria?.ToString("0.00", CultureInfo.InvariantCulture) ?? "null", r.GetProperty("avg_criteria").ToString()),
            ("avg prev year", p.AvgCriteriaPrevYear?.ToString("0.00", CultureInfo.InvariantCulture) ?? "null", r.GetProperty("avg_criteria_prev_year").ToString()),
            ("bands", string.Join(",", p.Bands.Values), string.Join(",", r.GetProperty("bands").EnumerateArray().Select(x => x.ToString()))),
            ("late", s.Submissions.Late.ToString(CultureInfo.InvariantCulture), r.GetProperty("late").ToString()),
        };
        var wrong = checks.Where(c => c.Worker != c.Sql).Select(c => $"{c.Name}: worker {c.Worker}, SQL {c.Sql}").ToList();
        return wrong.Count == 0 ? $"SQL and worker agree ({string.Join(", ", checks.Select(c => $"{c.Name} {c.Worker}"))})" : "DISAGREE: " + string.Join("; ", wrong);
    }

    public static double Median(IReadOnlyList<double> values) => IngestScenario.Percentile(values, 0.5);
}
