using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using NongThonMoi.Programme;
using Npgsql;
using NpgsqlTypes;

namespace NongThonMoi.Bench;

/// <summary>
/// Writes years of weekly history straight into the worker's own tables (submissions, submission_communes,
/// submission_data, current_submissions) with binary COPY, so the worker's recompute reads it as if districts had
/// sent it. The archived body of a generated submission is a short placeholder: nothing on the measured paths reads it.
/// </summary>
public static class HistoryGenerator
{
    private static readonly byte[] PlaceholderBody = Encoding.UTF8.GetBytes("{\"generated\":\"bench history\"}");

    public sealed record Result(int Periods, int Submissions, long CommuneRows, TimeSpan Elapsed);

    /// <summary>The weekly periods before <paramref name="current"/>, oldest first.</summary>
    public static List<ReportingPeriod> Periods(ReportingPeriod current, int years)
    {
        var list = new List<ReportingPeriod>();
        for (var p = current.Previous; list.Count < years * 52; p = p.Previous) list.Add(p);
        list.Reverse();
        return list;
    }

    public static async Task<Result> LoadAsync(string connectionString, ReferenceFolder reference, List<ReportingPeriod> periods)
    {
        var watch = Stopwatch.StartNew();
        // Two loaders, one per core: PostgreSQL does half of the work of a COPY.
        var halves = new[] { periods.Where((_, i) => i % 2 == 0).ToList(), periods.Where((_, i) => i % 2 == 1).ToList() };
        var indexOf = periods.Select((p, i) => (p.Id, i)).ToDictionary(x => x.Id, x => x.i);
        var counts = await Task.WhenAll(halves.Select(h => Task.Run(() => LoadPartAsync(connectionString, reference, h, indexOf))));
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var analyze = new NpgsqlCommand("analyze submissions; analyze submission_communes; analyze submission_data; analyze current_submissions;", connection);
            await analyze.ExecuteNonQueryAsync();
        }
        return new Result(periods.Count, counts.Sum(c => c.Submissions), counts.Sum(c => c.Rows), watch.Elapsed);
    }

    private static async Task<(int Submissions, long Rows)> LoadPartAsync(
        string connectionString, ReferenceFolder reference, List<ReportingPeriod> periods, Dictionary<string, int> indexOf)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // A bulk load of rows whose references hold by construction: foreign-key triggers off for this session only.
        await using (var replica = new NpgsqlCommand("set session_replication_role = replica", connection)) await replica.ExecuteNonQueryAsync();

        int submissions = 0;
        long rows = 0;
        foreach (var chunk in periods.Chunk(8))
        {
            var heads = new List<(Guid Id, string Unit, ReportingPeriod Period, DateTime ReceivedAt, bool Late, int T)>();
            foreach (var period in chunk)
            {
                var t = indexOf[period.Id];
                foreach (var district in reference.Districts)
                {
                    var key = Hash($"{district.Code}/{period.Id}");
                    if (key % 25 == 0) continue; // about 4% of (unit, period) never reported: their figures carry forward
                    // A district with a merger does not report in the merger's period: its merged commune's figures are then
                    // inherited from its predecessors' rows, which is what the "recompute across a merger" line measures.
                    if (district.Former is not null && reference.MergerPeriod(period)) continue;
                    var late = key % 10 == 1;
                    var received = period.End.ToDateTime(new TimeOnly(late ? 12 : 2, (int)(key % 60)), DateTimeKind.Utc).AddDays(late ? 1 : -1);
                    heads.Add((Guid.CreateVersion7(new DateTimeOffset(received)), district.Code, period, received, late, t));
                }
            }

            await using (var w = await connection.BeginBinaryImportAsync(
                "copy submissions (id, unit_code, period, received_at, sha256, body, content_type, format, submitted_by, status, http_status, late) from stdin (format binary)"))
            {
                foreach (var h in heads)
                {
                    await w.StartRowAsync();
                    await w.WriteAsync(h.Id, NpgsqlDbType.Uuid);
                    await w.WriteAsync(h.Unit, NpgsqlDbType.Text);
                    await w.WriteAsync(h.Period.Id, NpgsqlDbType.Text);
                    await w.WriteAsync(h.ReceivedAt, NpgsqlDbType.TimestampTz);
                    await w.WriteAsync(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{h.Unit}/{h.Period.Id}"))), NpgsqlDbType.Text);
                    await w.WriteAsync(PlaceholderBody, NpgsqlDbType.Bytea);
                    await w.WriteAsync("application/json", NpgsqlDbType.Text);
                    await w.WriteAsync("json", NpgsqlDbType.Text);
                    await w.WriteAsync("admin", NpgsqlDbType.Text);
                    await w.WriteAsync("accepted", NpgsqlDbType.Text);
                    await w.WriteAsync(201, NpgsqlDbType.Integer);
                    await w.WriteAsync(h.Late, NpgsqlDbType.Boolean);
                }
                await w.CompleteAsync();
            }

            var districts = reference.Districts.ToDictionary(d => d.Code);
            await using (var w = await connection.BeginBinaryImportAsync(
                "copy submission_communes (submission_id, period, commune_code, status, recognized_year, criteria_met, criteria_count) from stdin (format binary)"))
            {
                foreach (var h in heads)
                    foreach (var code in districts[h.Unit].CommunesIn(h.Period, reference))
                    {
                        var row = CommuneProgress.Row(code, int.Parse(code), h.T, h.Period.Year);
                        await w.StartRowAsync();
                        await w.WriteAsync(h.Id, NpgsqlDbType.Uuid);
                        await w.WriteAsync(h.Period.Id, NpgsqlDbType.Text);
                        await w.WriteAsync(code, NpgsqlDbType.Text);
                        await w.WriteAsync(row.Status, NpgsqlDbType.Text);
                        if (row.RecognizedYear is { } y) await w.WriteAsync(y, NpgsqlDbType.Integer); else await w.WriteNullAsync();
                        await w.WriteAsync(row.CriteriaMet, NpgsqlDbType.Array | NpgsqlDbType.Smallint);
                        await w.WriteAsync((short)row.CriteriaMet.Length, NpgsqlDbType.Smallint);
                        rows++;
                    }
                await w.CompleteAsync();
            }

            await using (var w = await connection.BeginBinaryImportAsync("copy submission_data (submission_id, element_code, value) from stdin (format binary)"))
            {
                foreach (var h in heads)
                {
                    await w.StartRowAsync();
                    await w.WriteAsync(h.Id, NpgsqlDbType.Uuid);
                    await w.WriteAsync("ocop_3_sao", NpgsqlDbType.Text);
                    await w.WriteAsync((decimal)(h.T / 52 + 1), NpgsqlDbType.Numeric);
                }
                await w.CompleteAsync();
            }

            await using (var w = await connection.BeginBinaryImportAsync(
                "copy current_submissions (unit_code, period, submission_id, received_at, late) from stdin (format binary)"))
            {
                foreach (var h in heads)
                {
                    await w.StartRowAsync();
                    await w.WriteAsync(h.Unit, NpgsqlDbType.Text);
                    await w.WriteAsync(h.Period.Id, NpgsqlDbType.Text);
                    await w.WriteAsync(h.Id, NpgsqlDbType.Uuid);
                    await w.WriteAsync(h.ReceivedAt, NpgsqlDbType.TimestampTz);
                    await w.WriteAsync(h.Late, NpgsqlDbType.Boolean);
                }
                await w.CompleteAsync();
            }
            submissions += heads.Count;
        }
        return (submissions, rows);
    }

    private static uint Hash(string s)
    {
        var h = 2166136261u;
        foreach (var c in s) h = (h ^ c) * 16777619u;
        return h;
    }
}
