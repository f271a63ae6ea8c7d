using System.Text;
using NongThonMoi.Programme;

namespace NongThonMoi.Bulletins;

/// <summary>The plain-text part: the same figures as the HTML, readable in any client and in black and white.</summary>
public static class BulletinText
{
    public static string Render(BulletinContent c)
    {
        var t = new StringBuilder(8_192);
        if (c.IsResend) t.AppendLine("[Gửi lại]");
        t.AppendLine("BẢN TIN TIẾN ĐỘ XÂY DỰNG NÔNG THÔN MỚI");
        t.AppendLine($"{c.ScopeName} — {c.PeriodLabel} · số liệu tổng hợp lúc {c.ComputedAt}");
        t.AppendLine();
        t.AppendLine(c.Completeness);
        if (c.Boundaries is { } boundaries) t.AppendLine(boundaries);
        t.AppendLine();
        if (c.Corrections.Count > 0)
        {
            t.AppendLine("ĐÍNH CHÍNH SỐ LIỆU KỲ TRƯỚC (thay đổi sau khi bản tin đã gửi):");
            foreach (var line in c.Corrections) t.AppendLine("  - " + line);
            t.AppendLine();
        }
        t.AppendLine($"- Xã đạt chuẩn NTM: {c.StandardHeadline} ({c.StandardDetail})");
        t.AppendLine($"- Công nhận mới trong năm: {c.NewHeadline} ({c.NewDetail})");
        t.AppendLine($"- Xã NTM nâng cao: {c.AdvancedHeadline} ({c.AdvancedDetail})");
        t.AppendLine($"- Bình quân tiêu chí/xã: {c.AverageHeadline} ({c.AverageDetail})");
        t.AppendLine();
        t.AppendLine("Số xã theo số tiêu chí đạt: " + string.Join(" · ", c.Bands.Select(b => $"{b.Label} TC: {Vn.Int(b.Count)}")));
        t.AppendLine();
        t.AppendLine("Kết quả theo tiêu chí (số xã đạt / tỷ lệ; * là thấp nhất):");
        foreach (var k in c.Criteria)
            t.AppendLine($"  {(k.Weakest ? "*" : " ")} {k.Number,2}. {k.Name}: {Vn.Int(k.Met)} ({Vn.Pct(k.Pct)})");
        t.AppendLine();
        t.AppendLine(c.RowsTitle + ":");
        foreach (var r in c.Rows)
        {
            t.AppendLine(c.Table == BulletinTable.Communes
                ? $"  {r.Name}: {Vn.Dec(r.AvgCriteria, 0)} TC; {r.Status}{(string.IsNullOrEmpty(r.Missing) ? "" : $"; chưa đạt {r.Missing}")}"
                : $"  {r.Name}: {Vn.Int(r.Communes)} xã, đạt chuẩn {Vn.Int(r.Standard)}, mới {Vn.Int(r.NewThisYear)}, BQ {Vn.Dec(r.AvgCriteria)} TC; {r.Status}");
        }
        if (c.Data.Count > 0)
        {
            t.AppendLine();
            t.AppendLine("Chỉ tiêu tổng hợp: " + string.Join(" · ", c.Data.Select(d => $"{d.Name}: {d.Value}")));
        }
        if (c.Warnings.Count > 0)
        {
            t.AppendLine();
            t.AppendLine("Cảnh báo số liệu:");
            foreach (var w in c.Warnings) t.AppendLine("  - " + w);
        }
        t.AppendLine();
        t.Append("Bản tin gửi tự động từ hệ thống NongThonMoi");
        t.AppendLine(string.IsNullOrWhiteSpace(c.PublicUrl) ? "." : $" — xem chi tiết tại {c.PublicUrl}");
        return t.ToString();
    }
}
