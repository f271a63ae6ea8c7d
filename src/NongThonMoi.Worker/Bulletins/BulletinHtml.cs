using System.Text;
using NongThonMoi.Infrastructure.Web;
using NongThonMoi.Programme;

namespace NongThonMoi.Bulletins;

/// <summary>
/// The HTML part: tables and inline CSS only (mail clients drop style sheets and scripts), 600 px wide at
/// most and fluid below. Every value passes through <see cref="E"/>: names come from files people edit.
/// </summary>
public static class BulletinHtml
{
    private const string Font = "font-family:Arial,Helvetica,sans-serif;";
    private const string Cell = "padding:4px 6px;border-bottom:1px solid #e3e3e3;";

    private static string E(string? value) => Html.Encode(value);

    public static string Render(BulletinContent c, IReadOnlyCollection<string> chartIds)
    {
        var h = new StringBuilder(16_384);
        h.Append("<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">");
        h.Append("<title>").Append(E(c.Subject)).Append("</title></head>");
        h.Append("<body style=\"margin:0;padding:0;background:#f3f5f2;").Append(Font).Append("color:#1d1d1d;\">");
        h.Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"background:#f3f5f2;\"><tr><td align=\"center\" style=\"padding:12px 6px;\">");
        h.Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"max-width:600px;background:#ffffff;border:1px solid #d9dfd5;\">");

        h.Append("<tr><td style=\"padding:16px 16px 8px 16px;border-top:4px solid #2e7d32;\">");
        if (c.IsResend) h.Append("<p style=\"margin:0 0 6px 0;font-size:12px;color:#8a4b00;\">[Gửi lại]</p>");
        h.Append("<h1 style=\"margin:0;font-size:18px;line-height:24px;color:#1b5e20;\">BẢN TIN TIẾN ĐỘ XÂY DỰNG NÔNG THÔN MỚI</h1>");
        h.Append("<p style=\"margin:4px 0 0 0;font-size:14px;\"><b>").Append(E(c.ScopeName)).Append("</b> — ").Append(E(c.PeriodLabel))
         .Append("<br><span style=\"font-size:12px;color:#555;\">Số liệu tổng hợp lúc ").Append(E(c.ComputedAt)).Append("</span></p></td></tr>");

        var tone = c.Provisional ? "background:#fff4e0;border:1px solid #e0a84a;" : "background:#eaf4ea;border:1px solid #8fbf8f;";
        h.Append("<tr><td style=\"padding:8px 16px;\"><p style=\"margin:0;padding:8px;font-size:13px;").Append(tone).Append("\">")
         .Append(E(c.Completeness)).Append("</p></td></tr>");
        if (c.Boundaries is { } boundaries)
            h.Append("<tr><td style=\"padding:0 16px 8px 16px;\"><p style=\"margin:0;padding:8px;font-size:13px;background:#eef3fb;border:1px solid #8fa8cf;\">")
             .Append(E(boundaries)).Append("</p></td></tr>");

        if (c.Corrections.Count > 0)
        {
            h.Append("<tr><td style=\"padding:4px 16px;\"><div style=\"padding:8px;font-size:13px;background:#fdecea;border:1px solid #e57373;\"><b>Đính chính số liệu kỳ trước</b> (thay đổi sau khi bản tin đã gửi):<ul style=\"margin:4px 0 0 0;padding-left:18px;\">");
            foreach (var line in c.Corrections) h.Append("<li>").Append(E(line)).Append("</li>");
            h.Append("</ul></div></td></tr>");
        }
        h.Append("<tr><td style=\"padding:4px 10px;\"><table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr>");
        Box(h, "Xã đạt chuẩn NTM", c.StandardHeadline, c.StandardDetail);
        Box(h, "Công nhận mới trong năm", c.NewHeadline, c.NewDetail);
        h.Append("</tr><tr>");
        Box(h, "Xã NTM nâng cao", c.AdvancedHeadline, c.AdvancedDetail);
        Box(h, "Bình quân tiêu chí/xã", c.AverageHeadline, c.AverageDetail);
        h.Append("</tr></table></td></tr>");

        h.Append("<tr><td style=\"padding:8px 16px;font-size:13px;\"><h2 style=\"font-size:15px;margin:8px 0;\">Số xã theo số tiêu chí đạt</h2><p style=\"margin:0;\">");
        h.AppendJoin(" · ", c.Bands.Select(b => $"<b>{E(b.Label)} TC</b>: {E(Vn.Int(b.Count))}"));
        h.Append("</p></td></tr>");
        Images(h, chartIds, "chart-units", "chart-trend");

        h.Append("<tr><td style=\"padding:8px 16px;\"><h2 style=\"font-size:15px;margin:8px 0;\">Kết quả theo tiêu chí <span style=\"font-weight:normal;font-size:12px;\">(thấp nhất in đậm, đánh dấu ▼)</span></h2>");
        h.Append("<table width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"font-size:13px;border-collapse:collapse;\">");
        h.Append("<tr style=\"background:#eef3ec;\"><th align=\"left\" style=\"").Append(Cell).Append("\">Tiêu chí</th><th align=\"right\" style=\"").Append(Cell)
         .Append("\">Số xã đạt</th><th align=\"right\" style=\"").Append(Cell).Append("\">Tỷ lệ</th></tr>");
        foreach (var k in c.Criteria)
        {
            var weight = k.Weakest ? "font-weight:bold;color:#b71c1c;" : "";
            h.Append("<tr><td style=\"").Append(Cell).Append(weight).Append("\">").Append(k.Weakest ? "▼ " : "").Append(k.Number).Append(". ").Append(E(k.Name))
             .Append("</td><td align=\"right\" style=\"").Append(Cell).Append(weight).Append("\">").Append(E(Vn.Int(k.Met)))
             .Append("</td><td align=\"right\" style=\"").Append(Cell).Append(weight).Append("\">").Append(E(Vn.Pct(k.Pct))).Append("</td></tr>");
        }
        h.Append("</table></td></tr>");
        Images(h, chartIds, "chart-criteria");

        h.Append("<tr><td style=\"padding:8px 16px;\"><h2 style=\"font-size:15px;margin:8px 0;\">").Append(E(c.RowsTitle)).Append("</h2>");
        h.Append("<table width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"font-size:12px;border-collapse:collapse;\"><tr style=\"background:#eef3ec;\">");
        var headers = c.Table == BulletinTable.Communes
            ? new[] { "Xã", "Số TC đạt", "TC chưa đạt", "Tình trạng" }
            : ["Đơn vị", "Số xã", "Đạt chuẩn", "Mới trong năm", "BQ tiêu chí", "Báo cáo kỳ này"];
        foreach (var head in headers) h.Append("<th align=\"left\" style=\"").Append(Cell).Append("\">").Append(E(head)).Append("</th>");
        h.Append("</tr>");
        foreach (var r in c.Rows)
        {
            var mark = r.Behind ? "color:#8a4b00;" : "";
            h.Append("<tr>");
            string[] cells = c.Table == BulletinTable.Communes
                ? [r.Name, Vn.Dec(r.AvgCriteria, 0), r.Missing ?? "–", r.Status]
                : [r.Name, Vn.Int(r.Communes), Vn.Int(r.Standard), Vn.Int(r.NewThisYear), Vn.Dec(r.AvgCriteria), r.Status];
            for (var i = 0; i < cells.Length; i++)
                h.Append("<td style=\"").Append(Cell).Append(i == cells.Length - 1 ? mark : "").Append("\">").Append(E(cells[i])).Append("</td>");
            h.Append("</tr>");
        }
        h.Append("</table></td></tr>");

        if (c.Data.Count > 0)
        {
            h.Append("<tr><td style=\"padding:8px 16px;font-size:13px;\"><h2 style=\"font-size:15px;margin:8px 0;\">Chỉ tiêu tổng hợp</h2><p style=\"margin:0;\">");
            h.AppendJoin(" · ", c.Data.Select(d => $"{E(d.Name)}: <b>{E(d.Value)}</b>"));
            h.Append("</p></td></tr>");
        }
        if (c.Warnings.Count > 0)
        {
            h.Append("<tr><td style=\"padding:8px 16px;font-size:13px;\"><h2 style=\"font-size:15px;margin:8px 0;\">Cảnh báo số liệu</h2><ul style=\"margin:0;padding-left:18px;\">");
            foreach (var w in c.Warnings) h.Append("<li>").Append(E(w)).Append("</li>");
            h.Append("</ul></td></tr>");
        }

        h.Append("<tr><td style=\"padding:12px 16px;font-size:11px;color:#666;border-top:1px solid #e3e3e3;\">Bản tin gửi tự động từ hệ thống NongThonMoi");
        if (!string.IsNullOrWhiteSpace(c.PublicUrl))
            h.Append(" — xem chi tiết tại <a href=\"").Append(E(c.PublicUrl)).Append("\" style=\"color:#1b5e20;\">").Append(E(c.PublicUrl)).Append("</a>");
        h.Append(".</td></tr></table></td></tr></table></body></html>");
        return h.ToString();
    }

    private static void Box(StringBuilder h, string title, string figure, string detail)
    {
        h.Append("<td width=\"50%\" valign=\"top\" style=\"padding:6px;\"><div style=\"border:1px solid #cfdccb;padding:8px;min-height:70px;\">")
         .Append("<div style=\"font-size:12px;color:#555;\">").Append(E(title)).Append("</div>")
         .Append("<div style=\"font-size:20px;font-weight:bold;color:#1b5e20;margin:2px 0;\">").Append(E(figure)).Append("</div>")
         .Append("<div style=\"font-size:12px;\">").Append(E(detail)).Append("</div></div></td>");
    }

    /// <summary>Charts are attached inline by Content-ID when the bulletin carries them.</summary>
    private static void Images(StringBuilder h, IReadOnlyCollection<string> chartIds, params string[] ids)
    {
        foreach (var id in ids.Where(chartIds.Contains))
            h.Append("<tr><td style=\"padding:4px 16px;\"><img src=\"cid:").Append(E(id)).Append("@nongthonmoi\" alt=\"").Append(E(ChartAlt(id)))
             .Append("\" width=\"568\" style=\"display:block;width:100%;max-width:568px;height:auto;border:0;\"></td></tr>");
    }

    private static string ChartAlt(string id) => id switch
    {
        "chart-units" => "Biểu đồ số xã đạt chuẩn theo đơn vị",
        "chart-trend" => "Biểu đồ bình quân tiêu chí/xã qua các kỳ",
        _ => "Biểu đồ tỷ lệ xã đạt từng tiêu chí",
    };
}
