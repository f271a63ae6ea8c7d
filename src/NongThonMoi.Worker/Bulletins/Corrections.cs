using Dapper;
using NongThonMoi.Indicators;
using NongThonMoi.Programme;
using Npgsql;

namespace NongThonMoi.Bulletins;

/// <summary>An earlier bulletin's figures and the figures of the same period now (đính chính số liệu).</summary>
public sealed record Correction(string Period, IndicatorSnapshot Sent, IndicatorSnapshot Now);

/// <summary>
/// Finds the earlier periods whose figures changed after their bulletin went out (a late or corrected
/// submission) and that no bulletin has reported yet, so that the next bulletin can say what changed.
/// </summary>
public sealed class Corrections(NpgsqlDataSource dataSource, SnapshotRepository snapshots)
{
    /// <summary>How far back a late change is still worth a line in the bulletin.</summary>
    private const int LookBack = 8;

    public async Task<IReadOnlyList<Correction>> SinceLastBulletinAsync(string period, CancellationToken ct)
    {
        List<(string Period, long Sent, long Now)> rows;
        // The connection goes back to the pool before the repository takes one for the figures.
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            // Each earlier period's last bulletin run, the snapshot it sent and the period's newest snapshot, if that one
            // was computed after the latest earlier bulletin (before it, that bulletin already reported the change).
            rows = (await connection.QueryAsync<(string Period, long Sent, long Now)>(new CommandDefinition("""
            with runs as (
                select distinct on (period) period, snapshot_id, created_at from mail_runs
                where kind = 'bulletin' and period < @period and period ~ @pattern and snapshot_id is not null
                order by period desc, copy desc),
            recent as (select * from runs order by period desc limit @lookBack),
            newest as (
                select distinct on (s.period) s.period, s.id, s.computed_at from snapshots s join recent r on r.period = s.period
                order by s.period, s.id desc)
            select r.period, r.snapshot_id, n.id
            from recent r
            join newest n on n.period = r.period and n.id <> r.snapshot_id
            where n.computed_at > (select max(created_at) from runs)
            order by r.period
            """, new { period, pattern = SnapshotRepository.PatternOf(ReportingPeriod.Parse(period).Cycle), lookBack = LookBack },
            cancellationToken: ct))).ToList();
        }
        if (rows.Count == 0) return [];
        // The figures through the repository, which knows how each snapshot's payload was stored (migration 0014); both
        // exist (mail_runs.snapshot_id references snapshots).
        var figures = await snapshots.SnapshotsAsync(rows.SelectMany(r => new[] { r.Sent, r.Now }).Distinct().ToList(), ct);
        return rows.Select(r => new Correction(r.Period, figures[r.Sent], figures[r.Now])).ToList();
    }

    /// <summary>
    /// "Tuần 47/2026: xã đạt chuẩn 35 → 37; bình quân tiêu chí/xã 6,50 → 6,52" for the scope (province, or one
    /// reporting unit); nothing when the scope's headline figures did not move.
    /// </summary>
    public static List<string> Lines(IEnumerable<Correction> corrections, string? unit, int? communesNow = null)
    {
        var lines = new List<string>();
        foreach (var c in corrections)
        {
            var before = Figures(c.Sent, unit);
            var after = Figures(c.Now, unit);
            if (before is null || after is null) continue;
            var changes = new List<string>();
            void Compare(string name, string? a, string? b)
            {
                if (a != b) changes.Add($"{name} {a} → {b}");
            }
            Compare("xã đạt chuẩn", Vn.Int(before.Value.Standard), Vn.Int(after.Value.Standard));
            Compare("công nhận mới trong năm", Vn.Int(before.Value.New), Vn.Int(after.Value.New));
            Compare("xã NTM nâng cao", Vn.Int(before.Value.Advanced), Vn.Int(after.Value.Advanced));
            Compare("bình quân tiêu chí/xã", Vn.Dec(before.Value.Avg), Vn.Dec(after.Value.Avg));
            Compare("đơn vị đã báo cáo", Vn.Int(before.Value.Reported), Vn.Int(after.Value.Reported));
            // A period before a merger is corrected on its own units (as it was sent): said so, lest its counts be read
            // against today's list of xã.
            var units = communesNow is { } n && c.Now.Province.Communes != n ? $" (theo địa giới trước sáp nhập: {Vn.Int(c.Now.Province.Communes)} xã)" : "";
            if (changes.Count > 0) lines.Add($"{ReportingPeriod.Parse(c.Period).Label}{units}: {string.Join("; ", changes)}.");
        }
        return lines;
    }

    private static (int Standard, int New, int Advanced, decimal? Avg, int Reported)? Figures(IndicatorSnapshot s, string? unit)
    {
        if (unit is null)
            return (s.Province.Standard, s.Province.NewStandardThisYear, s.Province.Advanced, s.Province.AvgCriteria, s.Submissions.OnTime + s.Submissions.Late);
        var u = s.Districts.FirstOrDefault(d => d.Code == unit);
        return u is null ? null : (u.Standard, u.NewStandardThisYear, u.Advanced, u.AvgCriteria, u.Submission == "missing" ? 0 : 1);
    }
}
