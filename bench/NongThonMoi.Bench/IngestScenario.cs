using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace NongThonMoi.Bench;

/// <summary>
/// District submissions through the HTTP API of the worker process(es) by concurrent clients in the bench process
/// (validation, archive and the recompute request included), and the limit: the same rows written by a bare Npgsql loop, one transaction per submission, COPY for the
/// commune rows, into copies of the worker's tables — no HTTP, no validation.
/// </summary>
public static class IngestScenario
{
    public sealed record Work(string Unit, string Token, string Period, byte[] Body, CommuneRow[] Rows, decimal Ocop);

    public sealed record Outcome(int Count, int Failed, TimeSpan Elapsed, double[] LatenciesMs)
    {
        public double PerSecond => Count / Elapsed.TotalSeconds;
        public double P50Ms => Percentile(LatenciesMs, 0.50);
        public double P99Ms => Percentile(LatenciesMs, 0.99);

        /// <summary>
        /// Several timed loops as one: their submissions over their time added up, the percentiles over all their
        /// latencies — so that one loop on a slow or a lucky moment of the machine moves the figure by its share only.
        /// </summary>
        public static Outcome Together(IReadOnlyList<Outcome> loops) =>
            new(loops.Sum(o => o.Count), loops.Sum(o => o.Failed), loops.Aggregate(TimeSpan.Zero, (t, o) => t + o.Elapsed),
                loops.SelectMany(o => o.LatenciesMs).ToArray());
    }

    /// <summary>Bodies built beforehand; each round varies the rows and data so every body is a new submission.</summary>
    public static List<Work> Prepare(ReferenceFolder reference, IReadOnlyDictionary<string, string> tokens, string period, int year, int t,
        int rounds, int firstVariant, int? onlyCount = null)
    {
        var work = new List<Work>();
        for (var r = 0; r < rounds; r++)
            foreach (var d in reference.Districts)
            {
                var variant = firstVariant + r;
                var rows = d.Communes.Select(c => CommuneProgress.Row(c, int.Parse(c), t, year, variant)).ToArray();
                work.Add(new Work(d.Code, tokens[d.Code], period, Body(d.Code, period, rows, variant), rows, variant));
                if (work.Count == onlyCount) return work;
            }
        return work;
    }

    public static byte[] Body(string unit, string period, CommuneRow[] rows, int variant)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("unit", unit);
            w.WriteString("period", period);
            w.WriteStartArray("communes");
            foreach (var row in rows)
            {
                w.WriteStartObject();
                w.WriteString("code", row.Code);
                w.WriteString("status", row.Status);
                if (row.RecognizedYear is { } y) w.WriteNumber("recognized_year", y);
                w.WriteStartArray("criteria_met");
                foreach (var n in row.CriteriaMet) w.WriteNumberValue(n);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("data");
            w.WriteNumber("ocop_3_sao", variant);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public static HttpClient Client(Uri baseUrl, int concurrency) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>Posts one body; the id of the submission when it was accepted (201), else throws.</summary>
    public static async Task<Guid> PostAsync(HttpClient client, Work w)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/submissions") { Content = new ByteArrayContent(w.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", w.Token);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != 201) throw new InvalidOperationException($"{w.Unit}: {(int)response.StatusCode} {text[..Math.Min(400, text.Length)]}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.GetProperty("id").GetGuid();
    }

    public static Task<Outcome> RunHttpAsync(HttpClient client, IReadOnlyList<Work> work, int concurrency) =>
        RunHttpAsync([client], work, concurrency);

    /// <summary>
    /// <paramref name="concurrency"/> clients posting the bodies in turn, as fast as they are answered; client k talks to
    /// <c>clients[k % clients.Count]</c> (one per worker process), so the clients are split evenly across the workers.
    /// </summary>
    public static async Task<Outcome> RunHttpAsync(IReadOnlyList<HttpClient> clients, IReadOnlyList<Work> work, int concurrency)
    {
        var latencies = new double[work.Count];
        var next = -1;
        var failed = 0;
        string? firstError = null;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(lane => Task.Run(async () =>
        {
            var client = clients[lane % clients.Count];
            for (int i; (i = Interlocked.Increment(ref next)) < work.Count;)
            {
                var start = Stopwatch.GetTimestamp();
                try { await PostAsync(client, work[i]); }
                catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, e.Message, null);
                }
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        })));
        watch.Stop();
        if (firstError is not null) Console.Error.WriteLine($"ingest: {failed} failed, first: {firstError}");
        return new Outcome(work.Count - failed, failed, watch.Elapsed, latencies);
    }

    public const string LimitTables = """
        drop table if exists bench_submission_communes, bench_submission_data, bench_current_submissions, bench_submissions;
        create table bench_submissions (like submissions including all);
        create table bench_submission_communes (like submission_communes including all);
        create table bench_submission_data (like submission_data including all);
        create table bench_current_submissions (like current_submissions including all);
        -- The same history as the worker's tables: rows written into indexes of 2 million entries cost more than into empty
        -- ones, and the limit compares like with like (before 2 December the copies started empty).
        insert into bench_submissions overriding system value select * from submissions;
        select setval(pg_get_serial_sequence('bench_submissions', 'seq'), (select max(seq) from bench_submissions));
        insert into bench_submission_communes select * from submission_communes;
        insert into bench_submission_data select * from submission_data;
        insert into bench_current_submissions select * from current_submissions;
        analyze bench_submissions, bench_submission_communes, bench_submission_data, bench_current_submissions;
        """;

    /// <summary>The limit: the same rows, one transaction per submission, no HTTP and no validation.</summary>
    public static async Task<Outcome> RunBareAsync(NpgsqlDataSource dataSource, IReadOnlyList<Work> work, int concurrency)
    {
        var latencies = new double[work.Count];
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) < work.Count;)
            {
                var start = Stopwatch.GetTimestamp();
                await WriteBareAsync(dataSource, work[i]);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        })));
        watch.Stop();
        return new Outcome(work.Count, 0, watch.Elapsed, latencies);
    }

    private static async Task WriteBareAsync(NpgsqlDataSource dataSource, Work w)
    {
        var id = Guid.CreateVersion7();
        var now = DateTime.UtcNow;
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("""
            insert into bench_submissions (id, unit_code, period, received_at, sha256, body, content_type, format, submitted_by, status, http_status, late)
            values ($1, $2, $3, $4, $5, $6, 'application/json', 'json', 'bench', 'accepted', 201, false)
            """, connection, tx))
        {
            insert.Parameters.Add(new() { Value = id });
            insert.Parameters.Add(new() { Value = w.Unit });
            insert.Parameters.Add(new() { Value = w.Period });
            insert.Parameters.Add(new() { Value = now });
            insert.Parameters.Add(new() { Value = Convert.ToHexStringLower(SHA256.HashData(w.Body)) });
            insert.Parameters.Add(new() { Value = w.Body });
            await insert.ExecuteNonQueryAsync();
        }
        await using (var copy = await connection.BeginBinaryImportAsync(
            "copy bench_submission_communes (submission_id, period, commune_code, status, recognized_year, criteria_met, criteria_count) from stdin (format binary)"))
        {
            foreach (var row in w.Rows)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(id, NpgsqlDbType.Uuid);
                await copy.WriteAsync(w.Period, NpgsqlDbType.Text);
                await copy.WriteAsync(row.Code, NpgsqlDbType.Text);
                await copy.WriteAsync(row.Status, NpgsqlDbType.Text);
                if (row.RecognizedYear is { } y) await copy.WriteAsync(y, NpgsqlDbType.Integer); else await copy.WriteNullAsync();
                await copy.WriteAsync(row.CriteriaMet, NpgsqlDbType.Array | NpgsqlDbType.Smallint);
                await copy.WriteAsync((short)row.CriteriaMet.Length, NpgsqlDbType.Smallint);
            }
            await copy.CompleteAsync();
        }
        await using (var rest = new NpgsqlCommand("""
            insert into bench_submission_data (submission_id, element_code, value) values (@id, 'ocop_3_sao', @ocop);
            insert into bench_current_submissions (unit_code, period, submission_id, received_at, late) values (@unit, @period, @id, @now, false)
            on conflict (unit_code, period) do update set submission_id = excluded.submission_id, received_at = excluded.received_at
            """, connection, tx))
        {
            rest.Parameters.AddWithValue("id", id);
            rest.Parameters.AddWithValue("ocop", w.Ocop);
            rest.Parameters.AddWithValue("unit", w.Unit);
            rest.Parameters.AddWithValue("period", w.Period);
            rest.Parameters.AddWithValue("now", now);
            await rest.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0) return 0;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
