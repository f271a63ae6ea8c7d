using System.Collections.Concurrent;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using NongThonMoi.Infrastructure;
using NongThonMoi.Programme;
using Npgsql;

namespace NongThonMoi.Indicators;

/// <summary>Loads what the calculator needs with a handful of set-based queries, and stores what it computed.</summary>
public sealed class SnapshotRepository(
    NpgsqlDataSource dataSource, ReferenceStore reference, ReportingCalendar calendar, IOptions<ReportingOptions> reporting, ArchivedRows archived)
{
    /// <param name="boundaries">
    /// The day whose unit list to compute on; by default the period's own (its deadline day). The trend of a bulletin after a
    /// merger asks for earlier periods on today's units.
    /// </param>
    public async Task<CalculationInput> LoadInputAsync(ReportingPeriod period, DateTimeOffset now, CancellationToken ct, DateOnly? boundaries = null)
    {
        var data = await reference.LoadAsync(ct);
        var set = data.CriteriaSets.FirstOrDefault(s => s.AppliesTo(period.Year))
            ?? throw new InvalidOperationException($"No criteria set in config/criteria applies to {period.Year} (period {period.Id}).");
        var units = boundaries is { } day ? PeriodUnits.Of(data, day, reporting.Value.LevelOn(day)) : calendar.UnitsOf(data, period);
        var communes = units.Communes;
        var reportingUnits = units.ReportingUnits;
        var codes = reportingUnits.Select(u => u.Code).ToArray();
        var pattern = PatternOf(period.Cycle);
        var mapping = MappingOf(data, period.Cycle);

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // Every input read from one snapshot of the database: a submission committed between two of these statements would
        // otherwise reach the communes' rows but not the units' heads, and the "nothing new" check would then keep that
        // half-seen figure (the submissions used would already include it).
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        // Data carried forward from a year of another criteria set counts different criteria: it is not used. Sets cover
        // consecutive years, so a commune whose newest row is of an earlier set has no row of this one.
        var sameSet = new Dictionary<string, bool>();
        bool SameSet(string p)
        {
            if (!sameSet.TryGetValue(p, out var same))
                sameSet[p] = same = data.CriteriaSets.FirstOrDefault(s => s.AppliesTo(ReportingPeriod.Parse(p).Year))?.Id == set.Id;
            return same;
        }
        async Task<MappedRows> MapAsync(IReadOnlyList<UnitReport> heads, ReportingPeriod asOf, bool sameSetOnly) =>
            await mapping.ResolveAsync(communes, units.Boundaries, asOf, IndicatorCalculator.ByCommune(heads), async windows =>
            {
                var found = await LoadWindowsAsync(connection, transaction, windows, pattern, ct);
                return sameSetOnly ? found.Where(f => SameSet(f.Value.Period)).ToDictionary() : found;
            });

        var baselinePeriod = period.EndOfPreviousYear;
        var (allReports, allPrevious, baseline, newest) = await LoadReportsAsync(connection, transaction, codes, period, baselinePeriod, ct);
        var reports = allReports.Where(r => SameSet(r.Period)).ToList();
        var previous = allPrevious.Where(r => SameSet(r.Period)).ToList();
        var baselineSet = data.CriteriaSets.FirstOrDefault(s => s.AppliesTo(baselinePeriod.Year));
        var rows = await MapAsync(reports, period, sameSetOnly: true);
        var previousRows = await MapAsync(previous, period.Previous, sameSetOnly: true);
        var baselineRows = await MapAsync(baseline, baselinePeriod, sameSetOnly: false);
        await transaction.CommitAsync(ct);
        return new CalculationInput(period, set, units.Province, reportingUnits, communes, reports, baseline, baselineSet,
            data.Targets, data.DataElements, now, previous, rows, previousRows, baselineRows, units.Boundaries,
            ChangeOf(data, units, calendar.BoundariesOf(baselinePeriod), rows), newest);
    }

    /// <summary>
    /// One mapping per reference load and cycle, kept with the load (it remembers what formed each unit; a new load, after a
    /// reference sync, gets a new one).
    /// </summary>
    private MergerMapping MappingOf(ReferenceData data, ReportingCycle cycle) =>
        _mappings.GetValue(data, _ => new ConcurrentDictionary<ReportingCycle, MergerMapping>())
            .GetOrAdd(cycle, c => new MergerMapping(data, reporting.Value.MergerRuleValue, d => calendar.FirstPeriodFrom(d, c)));

    private readonly ConditionalWeakTable<ReferenceData, ConcurrentDictionary<ReportingCycle, MergerMapping>> _mappings = new();

    /// <summary>
    /// The merger the figures were mapped across: the newest one since the end of the previous year (the baseline's units), or
    /// the one a unit inherited its data through. Null when the figures and every comparison are on one unit list.
    /// </summary>
    private static BoundariesChange? ChangeOf(ReferenceData data, PeriodUnits units, DateOnly baselineDay, MappedRows rows)
    {
        var effective = data.Mergers.Where(m => m.Effective > baselineDay && m.Effective <= units.Boundaries).Select(m => (DateOnly?)m.Effective).Max();
        foreach (var (code, row) in rows.Rows)
            if (row.DerivedFrom is not null && data.PredecessorsOf(code, units.Boundaries)?.Effective is { } e && (effective is null || e > effective))
                effective = e;
        if (effective is not { } day) return null;
        var before = data.UnitsOn(day.AddDays(-1)).Count(u => u.Level == UnitLevel.Commune);
        return new BoundariesChange(day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), before, units.Communes.Count);
    }

    /// <summary>
    /// The newest row of each commune code within its window of periods, whoever submitted it: before the 2025 reform a
    /// district sent its communes' rows, after it each commune sends its own, and the history of a code spans both.
    /// </summary>
    private static async Task<IReadOnlyDictionary<RowWindow, CommuneData>> LoadWindowsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RowWindow> windows, string pattern, CancellationToken ct)
    {
        // The window query steps through indexes a few thousand times; its cost estimate is high enough for PostgreSQL to
        // compile it with JIT, which took ~150 ms nationally (EXPLAIN ANALYZE, 525 windows) for nothing. Turned off for the
        // rest of the transaction in the same round trip (a round trip of its own cost more than the query at province scale).
        var found = await connection.QueryAsync<WindowRow>(new CommandDefinition("""
            set local jit = off;
            select w.i, h.period, h.submission_id, h.status, h.recognized_year, h.criteria_met, h.indicators
            from unnest(@codes, @froms, @tos) with ordinality as w(code, from_p, to_p, i)
            cross join lateral (
                select c.period, c.submission_id, c.status, c.recognized_year, c.criteria_met, c.indicators::text as indicators
                from submission_communes c
                -- The commune's rows newest first by (commune_code, period desc) (migration 0013), the first of a current
                -- submission in the window: a few index steps, where joining on current_submissions without the period
                -- stepped through five years of the code's rows (BENCHMARKS.md, the bench's merger line).
                where c.commune_code = w.code and c.period <= w.to_p and (w.from_p is null or c.period >= w.from_p) and c.period ~ @pattern
                  and exists (select 1 from current_submissions cs where cs.submission_id = c.submission_id)
                order by c.period desc limit 1) h
            """, new
        {
            codes = windows.Select(w => w.Code).ToArray(),
            froms = windows.Select(w => w.From).ToArray(),
            tos = windows.Select(w => w.To).ToArray(),
            pattern,
        }, transaction, cancellationToken: ct));
        return found.ToDictionary(r => windows[(int)r.I - 1], r => new CommuneData(
            new CommuneReport(windows[(int)r.I - 1].Code, r.Status, r.RecognizedYear, r.CriteriaMet.Select(n => (int)n).ToArray(),
                r.Indicators is null ? null : JsonSerializer.Deserialize<Dictionary<string, decimal>>(r.Indicators)),
            r.Period, r.SubmissionId));
    }

    /// <summary>
    /// For each unit, the current accepted submission of the newest period up to the period, up to the previous period and up
    /// to <paramref name="baseline"/>, with their commune rows; the data elements of the period's only. Which submissions are the
    /// heads is one statement; their rows come from <see cref="ArchivedRows"/>, which reads only those it has not seen.
    /// </summary>
    private async Task<(List<UnitReport> Reports, List<UnitReport> Previous, List<UnitReport> Baseline, DateTimeOffset? Newest)> LoadReportsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string[] units, ReportingPeriod period, ReportingPeriod baseline, CancellationToken ct)
    {
        // Most units have a row for exactly the period asked (the period, the previous one, the end of last year): those
        // come from one range of the period index each. Only a unit without one takes a backward step on the (unit_code,
        // period) key to its newest earlier row (carried forward): `distinct on` over the whole table would read, check and
        // sort every period of every unit (BENCHMARKS.md, finding 1), and a step per unit and head, 2,100 nationally at
        // ~10–25 µs each, was most of a recompute once the rows were kept (finding 22).
        await using var command = new NpgsqlCommand("""
            with wanted(k, upto) as (values (0, @period), (1, @previous), (2, @baseline)),
            exact as (
                select w.k, c.unit_code, c.period, c.submission_id, c.late, c.received_at
                from wanted w join current_submissions c on c.period = w.upto
                where c.unit_code = any(@units)),
            missing as (
                select w.k, w.upto, u.code from wanted w cross join unnest(@units) as u(code)
                where not exists (select from exact e where e.k = w.k and e.unit_code = u.code))
            select k, unit_code, period, submission_id, late, received_at from exact
            union all
            select m.k, h.unit_code, h.period, h.submission_id, h.late, h.received_at
            from missing m
            cross join lateral (
                select unit_code, period, submission_id, late, received_at from current_submissions
                where unit_code = m.code and period < m.upto and period ~ @pattern
                order by period desc limit 1) h
            order by 1, 2
            """, connection, transaction);
        command.Parameters.AddWithValue("units", units);
        command.Parameters.AddWithValue("period", period.Id);
        command.Parameters.AddWithValue("previous", period.Previous.Id);
        command.Parameters.AddWithValue("baseline", baseline.Id);
        command.Parameters.AddWithValue("pattern", PatternOf(period.Cycle));

        var heads = new List<(int K, string Unit, string Period, Guid Id, bool Late, DateTimeOffset Received)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                heads.Add((reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetGuid(3), reader.GetBoolean(4),
                    reader.GetFieldValue<DateTimeOffset>(5)));

        var content = await archived.OfAsync(connection, transaction, heads.Select(h => h.Id).ToHashSet(), ct);
        List<UnitReport>[] sets = [[], [], []];
        DateTimeOffset? newest = null;
        foreach (var h in heads)
        {
            var c = content[h.Id];
            // The data elements feed only the period's own sums.
            sets[h.K].Add(new UnitReport(h.Unit, h.Period, h.Id, h.Late, c.Communes, h.K == 0 ? c.Data : ArchivedRows.NoData));
            if (h.K == 0 && (newest is null || h.Received > newest)) newest = h.Received;
        }
        return (sets[0], sets[1], sets[2], newest);
    }

    internal static string PatternOf(ReportingCycle cycle) => cycle switch
    {
        ReportingCycle.Weekly => @"^\d{4}-W\d{2}$",
        ReportingCycle.Monthly => @"^\d{4}-\d{2}$",
        _ => @"^\d{4}-Q\d$",
    };

    /// <summary>
    /// Holds a PostgreSQL advisory lock on the period's recompute until disposed. Without it two workers computing the
    /// same period at once could store the older computation last, and the API would serve figures missing a submission.
    /// </summary>
    public async Task<IAsyncDisposable> LockPeriodAsync(string period, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "select pg_advisory_lock(hashtext('recompute:' || @period))", new { period }, cancellationToken: ct));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        return new PeriodLock(connection, period);
    }

    private sealed class PeriodLock(NpgsqlConnection connection, string period) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await connection.ExecuteAsync("select pg_advisory_unlock(hashtext('recompute:' || @period))", new { period });
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>Every submission the figures of <paramref name="input"/> use: this period's, the baseline's and the previous period's.</summary>
    public static HashSet<Guid> SubmissionsUsed(CalculationInput input)
    {
        var used = input.Reports.Concat(input.BaselineReports).Concat(input.PreviousReports ?? []).Select(r => r.SubmissionId).ToHashSet();
        foreach (var rows in new[] { input.Rows, input.PreviousRows, input.BaselineRows })
            if (rows is not null) used.UnionWith(rows.Used);
        return used;
    }

    /// <summary>The submissions the newest snapshot of the period used and how many communes it has; null when there is none.</summary>
    public async Task<StoredInputs?> LatestSubmissionsAsync(string period, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // The ids back from the keys (migration 0014) by the unique index on submissions.seq; a row stored before has its ids.
        var row = await connection.QuerySingleOrDefaultAsync<(Guid[] Ids, int? Communes, byte[]? Packed)>(new CommandDefinition($"""
            select case when n.submission_key_deltas is null then n.submission_ids
                        else array(select s.id from ({KeysOfRow}) k join submissions s on s.seq = k.seq) end,
                   cardinality(n.commune_sources), n.commune_sources_br
            from snapshots n where n.period = @period order by n.id desc limit 1
            """, new { period }, cancellationToken: ct));
        return row.Ids is null ? null : new StoredInputs(row.Ids.ToHashSet(), row.Packed is { } packed ? UnpackSources(packed).Length : row.Communes);
    }

    /// <param name="Communes">How many communes its rows reference (<c>commune_sources</c>); null for a snapshot that copied its rows.</param>
    public sealed record StoredInputs(HashSet<Guid> SubmissionIds, int? Communes);

    public async Task<long> SaveAsync(CalculationResult result, DateTimeOffset? inputMark, IReadOnlyCollection<Guid> submissionIds, CancellationToken ct)
    {
        var s = result.Snapshot;
        // Every submission a commune's row refers to is among the ids stored, so that the reference can be followed.
        var ids = submissionIds.Concat(result.Sources?.OfType<CommuneSource>().SelectMany(d => d.Rows).Select(r => r.SubmissionId) ?? [])
            .Distinct().Order(UuidOrder).ToArray();
        var (sources, derived) = result.Sources is { } used ? SourcesOf(used, ids) : (null, null);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // The ids are stored as their keys (migration 0014), sorted, as differences. The positions in commune_sources and
        // derived_rows are in the ids sorted as PostgreSQL sorts uuids, which the keys give back. No row is stored when an id
        // has no key: its positions would point at the wrong submissions.
        var keys = await archived.KeysOfAsync(connection, ids, ct);
        if (keys.Count != ids.Length)
            throw new InvalidOperationException($"snapshot of {s.Period} not stored: a submission it used is not in submissions");
        var sorted = keys.Values.Order().ToArray();
        var deltas = new long[sorted.Length];
        for (var i = 0; i < sorted.Length; i++) deltas[i] = sorted[i] - (i == 0 ? 0 : sorted[i - 1]);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            insert into snapshots (period, computed_at, criteria_set_id, input_mark, submission_key_deltas, payload_br, communes,
                                   commune_sources_br, derived_rows)
            values (@Period, @ComputedAt, @CriteriaSet, @InputMark::timestamptz, @Deltas, @Payload, @Communes::json, @Sources::bytea, @Derived::jsonb)
            returning id
            """, new
        {
            s.Period,
            s.ComputedAt,
            s.CriteriaSet,
            InputMark = inputMark,
            Deltas = deltas,
            Payload = CompressPayload(JsonSerializer.Serialize(s, JsonDefaults.Options)),
            // A result without its sources (built by hand) can only be kept as a copy of the rows.
            Communes = sources is null ? JsonSerializer.Serialize(result.Communes, JsonDefaults.Options) : null,
            Sources = sources is null ? null : PackSources(sources),
            Derived = derived is null ? null : JsonSerializer.Serialize(derived, JsonDefaults.Options),
        }, cancellationToken: ct));
        return id;
    }

    /// <summary>
    /// PostgreSQL's order of uuids: their 16 bytes compared in the order they are written. .NET's own order compares the
    /// first fields as numbers; spelled out here so that the positions stored do not depend on it.
    /// </summary>
    internal static readonly IComparer<Guid> UuidOrder = Comparer<Guid>.Create(static (a, b) =>
    {
        Span<byte> x = stackalloc byte[16], y = stackalloc byte[16];
        a.TryWriteBytes(x, bigEndian: true, out _);
        b.TryWriteBytes(y, bigEndian: true, out _);
        return x.SequenceCompareTo(y);
    });

    /// <summary>
    /// Brotli quality of the stored API JSON and commune sources; the store is on every recompute's path. On the national
    /// bench's snapshot (1,100,502 B of JSON; pglz made 93.4 KB of it), median of 7 in one process: quality 4 gives
    /// 50,761 B in 4.6 ms, 5 gives 46,589 B in 8.5 ms, 6 gives 46,489 B in 18 ms, 9 gives 45,783 B in 105 ms; 10 and 11
    /// reach 38,803 and 37,571 B but take 1.5 and 3.3 s. Decompressing takes ~0.6 ms whatever the quality.
    /// </summary>
    private const int BrotliQuality = 5;

    /// <summary>The API JSON as stored since migration 0014: its UTF-8 bytes, Brotli-compressed.</summary>
    internal static byte[] CompressPayload(string json) => Brotli(Encoding.UTF8.GetBytes(json));

    /// <summary>
    /// The API JSON of a snapshot row, whichever way it was stored: the <c>payload</c> column's text (rows stored before
    /// migration 0014), or <c>payload_br</c> decompressed — the same text, as it was serialised.
    /// </summary>
    private static string PayloadOf(string? json, byte[]? compressed)
    {
        if (compressed is null) return json ?? throw new InvalidOperationException("snapshot row without a payload");
        var bytes = Unbrotli(compressed);
        return Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
    }

    /// <summary>
    /// <c>commune_sources</c> as stored since migration 0014 (<c>commune_sources_br</c>): each entry as a zigzag varint,
    /// Brotli-compressed. A district's communes take the same entry one after another, runs that Brotli keeps as little
    /// more than the first entry; pglz kept the int[] at ~4.4 bytes a district.
    /// </summary>
    internal static byte[] PackSources(int[] sources)
    {
        var varints = new MemoryStream(sources.Length * 2);
        foreach (var source in sources)
            for (var v = (uint)((source << 1) ^ (source >> 31)); ; v >>= 7)
            {
                if (v < 0x80)
                {
                    varints.WriteByte((byte)v);
                    break;
                }
                varints.WriteByte((byte)(v | 0x80));
            }
        return Brotli(varints.GetBuffer().AsSpan(0, (int)varints.Length));
    }

    /// <summary>The entries of <c>commune_sources</c> back from <see cref="PackSources"/>.</summary>
    internal static int[] UnpackSources(byte[] packed)
    {
        var varints = Unbrotli(packed);
        var bytes = varints.GetBuffer().AsSpan(0, (int)varints.Length);
        var sources = new List<int>(bytes.Length);
        for (var i = 0; i < bytes.Length;)
        {
            uint v = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = bytes[i++];
                v |= (uint)(b & 0x7F) << shift;
                if (b < 0x80) break;
            }
            sources.Add((int)(v >> 1) ^ -(int)(v & 1));
        }
        return [.. sources];
    }

    /// <summary>Each blob stored (the payload, the commune sources) at <see cref="BrotliQuality"/>.</summary>
    private static byte[] Brotli(ReadOnlySpan<byte> bytes)
    {
        var compressed = new byte[BrotliEncoder.GetMaxCompressedLength(bytes.Length)];
        if (!BrotliEncoder.TryCompress(bytes, compressed, out var written, BrotliQuality, window: 22))
            throw new InvalidOperationException("Brotli could not compress a snapshot's column");
        return compressed[..written];
    }

    private static MemoryStream Unbrotli(byte[] compressed)
    {
        var output = new MemoryStream(compressed.Length * 12);
        using (var brotli = new BrotliStream(new MemoryStream(compressed), CompressionMode.Decompress))
            brotli.CopyTo(output);
        return output;
    }

    /// <summary>
    /// The submission keys of a snapshot row aliased <c>n</c>, as rows of <c>seq</c>: the running sum of the differences
    /// stored (migration 0014).
    /// </summary>
    public const string KeysOfRow = "select (sum(d) over (order by i))::bigint as seq from unnest(n.submission_key_deltas) with ordinality u(d, i)";

    /// <summary>The columns <see cref="PayloadOf"/> reads, in its order, of a snapshot row aliased <c>n</c>.</summary>
    private const string PayloadColumns = "n.payload::text, n.payload_br";

    /// <summary>Each commune's reference into <paramref name="ids"/> (migration 0011), and the derived rows apart.</summary>
    private static (int[] Sources, DerivedRows? Derived) SourcesOf(IReadOnlyList<CommuneSource?> used, Guid[] ids)
    {
        var position = new Dictionary<Guid, int>(ids.Length);
        for (var i = 0; i < ids.Length; i++) position[ids[i]] = i + 1;
        var sources = new int[used.Count];
        List<DerivedRow>? derived = null;
        string? rule = null;
        for (var i = 0; i < used.Count; i++)
        {
            if (used[i] is not { } d) continue;
            if (d.DerivedFrom is not { } from)
            {
                sources[i] = position[d.SubmissionId];
                continue;
            }
            derived ??= [];
            derived.Add(new DerivedRow(from, d.Rows.Select(r => r.Code).ToList(), d.Rows.Select(r => position[r.SubmissionId]).ToList()));
            rule = d.Rule == MergerRule.Retained ? "retained" : "all";
            sources[i] = -derived.Count;
        }
        return (sources, derived is null ? null : new DerivedRows(rule!, derived));
    }

    /// <summary>
    /// Each commune's row as the figures of <paramref name="stored"/> used it, in the calculator's order: copied in snapshots
    /// stored before migration 0011, rebuilt from the submission rows it references after it (the same figures: the same rows,
    /// combined by the same <see cref="MergerMapping.Combine"/>). Names and units come from the reference on the snapshot's
    /// boundaries day; units.csv keeps every dated version, so that day's list is the one the figures were computed on.
    /// </summary>
    public async Task<IReadOnlyList<CommuneFigures>> CommunesAsync(StoredSnapshot stored, CancellationToken ct)
    {
        if (stored.Communes is { } copied) return JsonSerializer.Deserialize<List<CommuneFigures>>(copied, JsonDefaults.Options)!;
        var sources = stored.CommuneSources ?? throw new InvalidOperationException($"snapshot {stored.Id} has neither communes nor commune_sources");
        var ids = stored.SubmissionIds ?? await IdsOfAsync(stored, ct);
        var derived = stored.DerivedRows is { } text ? JsonSerializer.Deserialize<DerivedRows>(text, JsonDefaults.Options)! : null;
        var data = await reference.LoadAsync(ct);
        var period = ReportingPeriod.Parse(stored.Period);
        var day = stored.Snapshot.Boundaries is { } b
            ? DateOnly.ParseExact(b, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)
            : calendar.BoundariesOf(period);
        var units = PeriodUnits.Of(data, day, reporting.Value.LevelOn(day));
        var communes = units.Communes;
        if (communes.Count != sources.Length)
            throw new InvalidOperationException(
                $"snapshot {stored.Id}: {sources.Length} communes stored, the reference lists {communes.Count} on {day:yyyy-MM-dd}; its unit list has been edited since");

        var wanted = new List<RowRef>(communes.Count);
        for (var i = 0; i < communes.Count; i++)
            if (sources[i] > 0) wanted.Add(new RowRef(communes[i].Code, ids[sources[i] - 1]));
        foreach (var d in derived?.Rows ?? [])
            for (var j = 0; j < d.Codes.Count; j++) wanted.Add(new RowRef(d.Codes[j], ids[d.Sources[j] - 1]));
        var rows = await LoadRowsAsync(wanted, ct);
        (CommuneReport Row, string Period) RowOf(string code, Guid id) => rows.TryGetValue(new RowRef(code, id), out var row)
            ? row : throw new InvalidOperationException($"snapshot {stored.Id}: submission {id} has no row of commune {code}");

        var figures = new List<CommuneFigures>(communes.Count);
        for (var i = 0; i < communes.Count; i++)
        {
            var commune = communes[i];
            var unit = ReportingUnits.ReportingUnitOf(commune, units.Level);
            if (sources[i] == 0)
            {
                figures.Add(new CommuneFigures(commune.Code, commune.Name, unit, null, null, [], null));
                continue;
            }
            if (sources[i] > 0)
            {
                var (row, p) = RowOf(commune.Code, ids[sources[i] - 1]);
                figures.Add(new CommuneFigures(commune.Code, commune.Name, unit, row.Status, row.RecognizedYear, row.CriteriaMet, p));
                continue;
            }
            var entry = derived!.Rows[-sources[i] - 1];
            var parts = entry.Codes.Select((code, j) => RowOf(code, ids[entry.Sources[j] - 1])).ToList();
            var (combined, dataPeriod) = derived.Rule == "retained" ? parts[0] : MergerMapping.Combine(commune.Code, parts);
            figures.Add(new CommuneFigures(commune.Code, commune.Name, unit, combined.Status, combined.RecognizedYear, combined.CriteriaMet, dataPeriod,
                entry.DerivedFrom));
        }
        return figures;
    }

    /// <summary>The ids of a snapshot's submission keys, in the order its positions count (migration 0014).</summary>
    private async Task<Guid[]> IdsOfAsync(StoredSnapshot stored, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var (ids, keys) = await connection.QuerySingleAsync<(Guid[]? Ids, int? Keys)>(new CommandDefinition($"""
            select array(select s.id from ({KeysOfRow}) k join submissions s on s.seq = k.seq order by s.id), cardinality(n.submission_key_deltas)
            from snapshots n where n.id = @Id
            """, new { stored.Id }, cancellationToken: ct));
        if (keys is not { } count) throw new InvalidOperationException($"snapshot {stored.Id} has neither submission_ids nor submission_key_deltas");
        return ids!.Length == count ? ids
            : throw new InvalidOperationException($"snapshot {stored.Id}: {count - ids.Length} of its {count} submissions are no longer stored");
    }

    /// <summary>The rows named, by their primary key, each with its submission's period.</summary>
    private async Task<Dictionary<RowRef, (CommuneReport Row, string Period)>> LoadRowsAsync(IReadOnlyList<RowRef> wanted, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("""
            select c.commune_code, c.submission_id, s.period, c.status, c.recognized_year, c.criteria_met
            from unnest(@ids, @codes) as r(submission_id, commune_code)
            join submission_communes c on c.submission_id = r.submission_id and c.commune_code = r.commune_code
            join submissions s on s.id = c.submission_id
            """, connection);
        command.Parameters.AddWithValue("ids", wanted.Select(w => w.SubmissionId).ToArray());
        command.Parameters.AddWithValue("codes", wanted.Select(w => w.Code).ToArray());
        var rows = new Dictionary<RowRef, (CommuneReport, string)>(wanted.Count);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var code = reader.GetString(0);
            rows[new RowRef(code, reader.GetGuid(1))] = (new CommuneReport(code, reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetInt32(4), Array.ConvertAll(reader.GetFieldValue<short[]>(5), n => (int)n)), reader.GetString(2));
        }
        return rows;
    }

    /// <summary>The newest snapshot of a period (or of any period when null), as stored JSON.</summary>
    public async Task<StoredSnapshot?> FindAsync(string? period, CancellationToken ct) => await ReadStoredAsync("""
        where @period::text is null or period = @period
        order by case when @period::text is null then period end desc, id desc
        limit 1
        """, new NpgsqlParameter("period", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)period ?? DBNull.Value }, ct);

    public async Task<StoredSnapshot?> GetAsync(long id, CancellationToken ct) =>
        await ReadStoredAsync("where id = @id", new NpgsqlParameter("id", id), ct);

    // Read by hand: Dapper cannot hand uuid[] and int[] columns to a record's constructor.
    private async Task<StoredSnapshot?> ReadStoredAsync(string where, NpgsqlParameter parameter, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand($"""
            select n.id, n.period, {PayloadColumns}, n.communes::text, n.submission_ids, n.commune_sources,
                   n.commune_sources_br, n.derived_rows::text
            from snapshots n
            {where}
            """, connection);
        command.Parameters.Add(parameter);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        T? Read<T>(int i) where T : class => reader.IsDBNull(i) ? null : reader.GetFieldValue<T>(i);
        return new StoredSnapshot(reader.GetInt64(0), reader.GetString(1), PayloadOf(Read<string>(2), Read<byte[]>(3)),
            Read<string>(4), Read<Guid[]>(5), Read<int[]>(6) ?? (Read<byte[]>(7) is { } packed ? UnpackSources(packed) : null),
            Read<string>(8));
    }

    /// <summary>The newest snapshot of each of the <paramref name="count"/> periods up to <paramref name="period"/>, oldest first (for trends).</summary>
    public async Task<List<IndicatorSnapshot>> HistoryAsync(string period, int count, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var payloads = await connection.QueryAsync<(string? Json, byte[]? Compressed)>(new CommandDefinition($"""
            select {PayloadColumns} from (
                select distinct on (period) period, payload, payload_br from snapshots
                where period <= @period and period ~ @pattern order by period desc, id desc) n
            order by n.period desc limit @count
            """, new { period, count, pattern = PatternOf(ReportingPeriod.Parse(period).Cycle) }, cancellationToken: ct));
        return payloads.Select(p => Deserialize(PayloadOf(p.Json, p.Compressed))).Reverse().ToList();
    }

    /// <summary>The figures of the snapshots named, by id (those that exist).</summary>
    public async Task<IReadOnlyDictionary<long, IndicatorSnapshot>> SnapshotsAsync(IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(long Id, string? Json, byte[]? Compressed)>(new CommandDefinition(
            $"select n.id, {PayloadColumns} from snapshots n where n.id = any(@ids)", new { ids = ids.ToArray() }, cancellationToken: ct));
        return rows.ToDictionary(r => r.Id, r => Deserialize(PayloadOf(r.Json, r.Compressed)));
    }

    private static IndicatorSnapshot Deserialize(string payload) => JsonSerializer.Deserialize<IndicatorSnapshot>(payload, JsonDefaults.Options)!;

    /// <summary>The <c>derived_rows</c> column: the rule that combined the rows, and each derived commune's parts.</summary>
    private sealed record DerivedRows(string Rule, IReadOnlyList<DerivedRow> Rows);
    /// <summary>The old codes, and the parts combined: <see cref="Codes"/>[j]'s row of the snapshot's submission <see cref="Sources"/>[j] (1-based, as in commune_sources).</summary>
    private sealed record DerivedRow(IReadOnlyList<string> DerivedFrom, IReadOnlyList<string> Codes, IReadOnlyList<int> Sources);
    private sealed record WindowRow
    {
        public long I { get; init; }
        public string Period { get; init; } = "";
        public Guid SubmissionId { get; init; }
        public string Status { get; init; } = "";
        public int? RecognizedYear { get; init; }
        public short[] CriteriaMet { get; init; } = [];
        public string? Indicators { get; init; }
    }
}

/// <summary>
/// A stored snapshot: its API JSON, and either the copy of its commune rows (stored before migration 0011) or the references
/// to them (<see cref="CommuneSources"/>, <see cref="DerivedRows"/>), read by <see cref="SnapshotRepository.CommunesAsync"/>.
/// The submissions it used are here as ids in snapshots stored before migration 0014; after it they are read from their keys when
/// the commune rows are rebuilt (the API needs only the payload).
/// </summary>
public sealed record StoredSnapshot(
    long Id, string Period, string Payload, string? Communes, Guid[]? SubmissionIds, int[]? CommuneSources, string? DerivedRows)
{
    private IndicatorSnapshot? _snapshot;

    /// <summary>The payload read once: a bulletin run asks for it, and so does the rebuilding of its commune rows.</summary>
    public IndicatorSnapshot Snapshot => _snapshot ??= JsonSerializer.Deserialize<IndicatorSnapshot>(Payload, JsonDefaults.Options)!;
}
