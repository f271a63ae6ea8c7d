using System.Text.Json;
using Npgsql;

namespace NongThonMoi.Indicators;

/// <summary>
/// The commune rows and data sums of archived submissions (<c>submission_communes</c>, <c>submission_data</c>), read from
/// the database once per process and kept by submission id. An archived submission never changes: its rows are written
/// by the statement that archives it, and nothing updates or deletes them (the archive only grows). So the rows read for
/// an id stay true for good, and a recompute reads from the database only the submissions it has not seen: after a
/// submission, one unit's rows instead of every head's 24,375 rows nationally (BENCHMARKS.md, finding 18). Which
/// submission is a unit's head is always read fresh; only the content of a submission is kept.
/// </summary>
/// <remarks>
/// Bounded by rows kept (<see cref="MaxRows"/> by default; a row is a record, its criteria array and its raw values if
/// sent): past it, the submissions least recently used are let go and read again when asked for. One instance per process (a singleton); safe to use from several recomputes at once.
/// </remarks>
/// <param name="maxRows">The bound; tests set a small one to see submissions let go.</param>
public sealed class ArchivedRows(int maxRows = ArchivedRows.MaxRows)
{
    /// <summary>
    /// One national load with room to spare (a period's heads, the previous period's and the baseline's are 24,375 rows
    /// together): the period being recomputed during a rush stays; the trend's older periods, computed once a week for the
    /// bulletins, come and go without holding memory for good.
    /// </summary>
    public const int MaxRows = 40_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Entry> _entries = [];
    // One string per commune code and status, shared by every row kept: 8,300 codes, not one copy per row.
    private readonly HashSet<string> _strings = [];
    private long _rows;
    private long _uses;

    /// <summary>A submission's rows (its communes' rows and its data sums), as archived, and its short key (<c>submissions.seq</c>).</summary>
    public sealed record Content(IReadOnlyList<CommuneReport> Communes, IReadOnlyDictionary<string, decimal> Data, long Key);

    private sealed class Entry(Content content)
    {
        public Content Content { get; } = content;
        public long LastUse { get; set; }
    }

    /// <summary>Rows read from the database since the process started (the rest came from memory); for the logs and the bench.</summary>
    public long RowsRead { get; private set; }

    /// <summary>Submissions kept now.</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _entries.Count;
        }
    }

    /// <summary>
    /// The short key (<c>submissions.seq</c>) of each of <paramref name="ids"/> that has one: those kept from memory, the rest
    /// in one look-up. A snapshot stores its submissions by these keys; looking up 2,100 ids in PostgreSQL was most of a
    /// national snapshot's store (BENCHMARKS.md, finding 18).
    /// </summary>
    public async Task<Dictionary<Guid, long>> KeysOfAsync(NpgsqlConnection connection, IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var keys = new Dictionary<Guid, long>(ids.Count);
        var missing = new List<Guid>();
        lock (_gate)
            foreach (var id in ids)
                if (_entries.TryGetValue(id, out var entry)) keys[id] = entry.Content.Key;
                else missing.Add(id);
        if (missing.Count == 0) return keys;
        await using var command = new NpgsqlCommand("select id, seq from submissions where id = any(@ids)", connection)
        {
            Parameters = { new NpgsqlParameter<Guid[]>("ids", [.. missing]) },
        };
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) keys[reader.GetGuid(0)] = reader.GetInt64(1);
        return keys;
    }

    /// <summary>Lets go of every submission kept (the bench weighs what they held); they are read again when asked for.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _strings.Clear();
            _rows = 0;
        }
    }

    /// <summary>
    /// The content of each of <paramref name="ids"/>, reading in one round trip those not kept, on the caller's connection and
    /// transaction. Every id must be of an archived submission (a head's); one without rows gets an empty content.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, Content>> OfAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var found = new Dictionary<Guid, Content>(ids.Count);
        var missing = new HashSet<Guid>();
        lock (_gate)
        {
            var use = ++_uses;
            foreach (var id in ids)
            {
                if (_entries.TryGetValue(id, out var entry))
                {
                    entry.LastUse = use;
                    found[id] = entry.Content;
                }
                else missing.Add(id);
            }
        }
        if (missing.Count == 0) return found;

        var read = await ReadAsync(connection, transaction, missing, ct);
        lock (_gate)
        {
            var use = _uses;
            foreach (var (id, content) in read)
            {
                found[id] = content;
                if (_entries.TryAdd(id, new Entry(content) { LastUse = use })) _rows += Math.Max(1, content.Communes.Count);
            }
            RowsRead += read.Values.Sum(c => c.Communes.Count);
            if (_rows > maxRows) Trim(keep: found);
        }
        return found;
    }

    /// <summary>Lets go of the least recently used submissions until the rows kept are under three quarters of the bound.</summary>
    private void Trim(Dictionary<Guid, Content> keep)
    {
        foreach (var (id, entry) in _entries.Where(e => !keep.ContainsKey(e.Key)).OrderBy(e => e.Value.LastUse).ToList())
        {
            if (_rows <= maxRows * 3 / 4) break;
            _entries.Remove(id);
            _rows -= Math.Max(1, entry.Content.Communes.Count);
        }
    }

    private async Task<Dictionary<Guid, Content>> ReadAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, HashSet<Guid> ids, CancellationToken ct)
    {
        var rows = ids.ToDictionary(id => id, _ => new List<CommuneReport>());
        var data = new Dictionary<Guid, IReadOnlyDictionary<string, decimal>>();
        var keys = new Dictionary<Guid, long>(ids.Count);
        // Both by the primary keys' leading submission_id; the communes in code order, as the index gives them.
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("""
                    select submission_id, commune_code, status, recognized_year, criteria_met, indicators::text
                    from submission_communes where submission_id = any(@ids) order by submission_id, commune_code
                    """) { Parameters = { new NpgsqlParameter<Guid[]>("ids", [.. ids]) } },
                new NpgsqlBatchCommand("""
                    select submission_id, array_agg(element_code), array_agg(value) from submission_data
                    where submission_id = any(@ids) group by submission_id
                    """) { Parameters = { new NpgsqlParameter<Guid[]>("ids", [.. ids]) } },
                new NpgsqlBatchCommand("select id, seq from submissions where id = any(@ids)") { Parameters = { new NpgsqlParameter<Guid[]>("ids", [.. ids]) } },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        List<CommuneReport>? list = null;
        var listOf = Guid.Empty;
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetGuid(0);
            if (list is null || id != listOf) (list, listOf) = (rows[id], id);
            list.Add(new CommuneReport(Shared(reader.GetString(1)), Shared(reader.GetString(2)), reader.IsDBNull(3) ? null : reader.GetInt32(3),
                Array.ConvertAll(reader.GetFieldValue<short[]>(4), n => (int)n),
                reader.IsDBNull(5) ? null : JsonSerializer.Deserialize<Dictionary<string, decimal>>(reader.GetString(5))));
        }
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var codes = reader.GetFieldValue<string[]>(1);
            var values = reader.GetFieldValue<decimal[]>(2);
            var sums = new Dictionary<string, decimal>(codes.Length);
            for (var i = 0; i < codes.Length; i++) sums[codes[i]] = values[i];
            data[reader.GetGuid(0)] = sums;
        }
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct)) keys[reader.GetGuid(0)] = reader.GetInt64(1);
        // Every id asked for is a head's, so it is in submissions; a missing one would be a broken archive, not a cache miss.
        return rows.ToDictionary(r => r.Key, r => new Content(r.Value, data.GetValueOrDefault(r.Key, NoData),
            keys.TryGetValue(r.Key, out var key) ? key : throw new InvalidOperationException($"submission {r.Key} is not in submissions")));
    }

    private string Shared(string value)
    {
        lock (_gate)
        {
            if (_strings.TryGetValue(value, out var shared)) return shared;
            _strings.Add(value);
            return value;
        }
    }

    /// <summary>The data sums of a submission without data elements (and of heads whose sums are not used).</summary>
    internal static readonly IReadOnlyDictionary<string, decimal> NoData = new Dictionary<string, decimal>();
}
