using System.Globalization;
using System.Text;
using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;
using NongThonMoi.Programme;

namespace NongThonMoi.Operations;

/// <summary>
/// The "Báo cáo NTM" page inside the Hangfire dashboard layout (menu, header). Hangfire renders pages synchronously,
/// so <see cref="OperationsDashboard"/> loads the report asynchronously first and leaves it in the request's items.
/// </summary>
internal sealed class OperationsPage : RazorPage
{
    public const string Title = "Báo cáo NTM";

    // Vietnamese stays readable; markup characters (< > & " ') are still escaped.

    public override void Execute()
    {
        Layout = new LayoutPage(Title);
        var report = (OperationsReport)Context.GetHttpContext().Items[OperationsDashboard.ReportKey]!;
        WriteLiteral(Render(report));
    }

    public static string Render(OperationsReport report)
    {
        var html = new StringBuilder();
        var s = report.Submissions;
        html.Append("<div class=\"row\"><div class=\"col-md-12\">");
        html.Append($"<h1 class=\"page-header\">{E(Title)}</h1>");

        html.Append($"<h3>Kỳ báo cáo hiện tại: {E(s.Label)}</h3>");
        html.Append($"<p id=\"ntm-deadline\">Hạn nộp: <strong>{E(report.DeadlineLocal.ToString("dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture))}</strong>")
            .Append(s.DeadlinePassed ? " (đã qua hạn)" : " (chưa đến hạn)").Append("</p>");
        html.Append($"<p id=\"ntm-counts\">Đúng hạn: <strong>{s.Counts.OnTime}</strong> · Muộn: <strong>{s.Counts.Late}</strong> · ")
            .Append($"Chưa nộp: <strong>{s.Counts.Missing}</strong> / {s.Counts.Expected} đơn vị</p>");
        html.Append("<table class=\"table table-condensed\" id=\"ntm-units\"><thead><tr><th>Mã</th><th>Đơn vị</th><th>Tình trạng</th><th>Thời điểm nhận</th><th>Lần bị từ chối</th></tr></thead><tbody>");
        foreach (var u in s.Units)
        {
            html.Append($"<tr data-unit=\"{E(u.Code)}\" data-status=\"{E(u.Status)}\"><td>{E(u.Code)}</td><td>{E(u.Name)}</td><td>{E(StatusLabel(u.Status))}</td>")
                .Append($"<td>{E(u.ReceivedAt is { } at ? Vn.DateTime(report.LocalOf(at)) : "–")}</td><td>{u.Rejected}</td></tr>");
        }
        html.Append("</tbody></table>");

        html.Append("<h3>Số liệu mới nhất</h3>");
        if (report.Snapshot is { } snapshot)
        {
            var p = snapshot.Province;
            var target = p.Targets.TryGetValue("new_standard", out var t) ? Vn.Dec(t, 0) : "chưa đặt";
            html.Append($"<p>Kỳ {E(snapshot.Period)}, tính lúc {E(Vn.DateTime(report.LocalOf(snapshot.ComputedAt)))}</p>");
            html.Append("<table class=\"table table-condensed\" id=\"ntm-figures\"><tbody>");
            Row(html, "standard", "Xã đạt chuẩn NTM", $"{Vn.Int(p.Standard)} / {Vn.Int(p.Communes)} ({Vn.Pct(p.StandardPct)})");
            Row(html, "new_standard_this_year", "Xã đạt chuẩn mới trong năm (so với kế hoạch)", $"{Vn.Int(p.NewStandardThisYear)} / {target}");
            Row(html, "avg_criteria", "Bình quân tiêu chí đạt/xã", Vn.Dec(p.AvgCriteria));
            Row(html, "communes_without_data", "Xã chưa có số liệu", Vn.Int(p.CommunesWithoutData));
            html.Append("</tbody></table>");
        }
        else
        {
            html.Append("<p>Chưa có số liệu tổng hợp nào.</p>");
        }

        html.Append("<h3>Bản tin gần nhất</h3>");
        if (report.LastBulletin is { } run)
        {
            html.Append($"<p>Kỳ {E(run.Period)}{(run.Copy > 0 ? $", gửi lại lần {run.Copy}" : "")}</p>");
            html.Append("<table class=\"table table-condensed\" id=\"ntm-deliveries\"><tbody>");
            foreach (var status in new[] { "sent", "pending", "sending", "failed" })
            {
                Row(html, status, DeliveryLabel(status), Vn.Int(run.CountsByStatus.GetValueOrDefault(status)));
            }
            html.Append("</tbody></table>");
            if (run.Failed.Count > 0)
            {
                html.Append("<table class=\"table table-condensed\" id=\"ntm-failed\"><thead><tr><th>Ban chỉ đạo</th><th>Người nhận</th><th>Số lần thử</th><th>Lỗi</th></tr></thead><tbody>");
                foreach (var f in run.Failed)
                {
                    html.Append($"<tr><td>{E(f.CommitteeId)}</td><td>{E(f.Name)} &lt;{E(f.Recipient)}&gt;</td><td>{f.Attempts}</td><td>{E(f.LastError ?? "")}</td></tr>");
                }
                html.Append("</tbody></table>");
            }
        }
        else
        {
            html.Append("<p>Chưa có bản tin nào được gửi.</p>");
        }

        if (report.FailedReminders.Count > 0)
        {
            html.Append("<h3>Thư nhắc hạn không gửi được</h3>");
            html.Append("<table class=\"table table-condensed\" id=\"ntm-failed-reminders\"><thead><tr><th>Kỳ</th><th>Ban chỉ đạo</th><th>Người nhận</th><th>Số lần thử</th><th>Lỗi</th></tr></thead><tbody>");
            foreach (var f in report.FailedReminders)
            {
                html.Append($"<tr><td>{E(f.Period)}</td><td>{E(f.CommitteeId)}</td><td>{E(f.Name)} &lt;{E(f.Recipient)}&gt;</td><td>{f.Attempts}</td><td>{E(f.LastError ?? "")}</td></tr>");
            }
            html.Append("</tbody></table>");
        }
        html.Append("</div></div>");
        return html.ToString();
    }

    private static void Row(StringBuilder html, string key, string label, string value) =>
        html.Append($"<tr data-figure=\"{E(key)}\"><th>{E(label)}</th><td>{E(value)}</td></tr>");

    private static string E(string value) => Infrastructure.Web.Html.Encode(value);

    private static string StatusLabel(string status) => status switch
    {
        "on-time" => "Đúng hạn",
        "late" => "Muộn",
        "missing" => "Chưa nộp",
        _ => status,
    };

    private static string DeliveryLabel(string status) => status switch
    {
        "sent" => "Đã gửi",
        "pending" => "Đang chờ gửi",
        "sending" => "Đang gửi",
        "failed" => "Thất bại",
        _ => status,
    };
}
