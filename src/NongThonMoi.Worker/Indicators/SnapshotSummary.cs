using System.Text;
using NongThonMoi.Programme;

namespace NongThonMoi.Indicators;

/// <summary>The one-screen summary that <c>recompute</c> prints.</summary>
public static class SnapshotSummary
{
    public static string Render(IndicatorSnapshot s, ReportingPeriod period)
    {
        var p = s.Province;
        var t = new StringBuilder();
        t.AppendLine($"{p.Name} — {period.Label} — bộ tiêu chí {s.CriteriaSet}");
        t.AppendLine($"  Xã đạt chuẩn NTM      {Vn.Int(p.Standard)}/{Vn.Int(p.Communes)} ({Vn.Pct(p.StandardPct)}); mới năm {period.Year}: {Vn.Int(p.NewStandardThisYear)}" +
                     (p.Targets.TryGetValue("new_standard", out var plan) ? $" / kế hoạch {Vn.Dec(plan, 0)}" : ""));
        t.AppendLine($"  Nâng cao / kiểu mẫu   {Vn.Int(p.Advanced)} / {Vn.Int(p.Model)}; hiện đại {Vn.Int(p.Modern)}");
        t.AppendLine($"  Bình quân tiêu chí/xã {Vn.Dec(p.AvgCriteria)} (cuối năm {period.Year - 1}: {Vn.Dec(p.AvgCriteriaPrevYear)}, {Vn.Change(p.AvgCriteriaDelta)})");
        t.AppendLine($"  Chưa có số liệu       {Vn.Int(p.CommunesWithoutData)} xã");
        t.AppendLine("  Nhóm theo số TC       " + string.Join(" · ", p.Bands.Select(b => $"{b.Key}: {Vn.Int(b.Value)}")));
        var weakest = p.Criteria.OrderBy(c => c.Pct).Take(3).Select(c => $"{c.Number}. {c.Name} {Vn.Pct(c.Pct)}");
        t.AppendLine("  Tiêu chí thấp nhất    " + string.Join(" · ", weakest));
        t.AppendLine($"  Báo cáo kỳ này        {s.Submissions.OnTime} đúng hạn, {s.Submissions.Late} muộn, {s.Submissions.Missing} chưa nộp / {s.Submissions.Expected}");
        foreach (var d in s.Districts.Where(d => d.Submission == "missing").Take(10))
            t.AppendLine($"    chưa nộp: {d.Name}{(d.DataPeriod is null ? "" : $" (dùng kỳ {d.DataPeriod})")}");
        if (s.Warnings.Count > 0) t.AppendLine($"  Cảnh báo số liệu      {s.Warnings.Count}");
        return t.ToString().TrimEnd();
    }
}
