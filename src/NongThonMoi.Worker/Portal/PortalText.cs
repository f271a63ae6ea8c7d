using System.Globalization;
using NongThonMoi.Programme;
using NongThonMoi.Submissions;

namespace NongThonMoi.Portal;

/// <summary>The portal's Vietnamese wording of times, states and errors, in one place so every page says it alike.</summary>
public static class PortalText
{
    /// <summary>"còn 2 ngày 5 giờ", "còn 3 giờ 20 phút", "đã quá hạn 1 ngày 2 giờ".</summary>
    public static string Countdown(DateTimeOffset deadline, DateTimeOffset now)
    {
        var left = deadline - now;
        var span = left.Duration();
        var text = span.TotalDays >= 1 ? $"{(int)span.TotalDays} ngày {span.Hours} giờ"
            : span.TotalHours >= 1 ? $"{span.Hours} giờ {span.Minutes} phút"
            : $"{Math.Max(span.Minutes, 1)} phút";
        return left >= TimeSpan.Zero ? "còn " + text : "đã quá hạn " + text;
    }

    /// <summary>This period's state: "Chưa nộp", "Đã nộp đúng hạn lúc …", "Nộp muộn lúc …".</summary>
    public static string State(SentReport? current, Func<DateTimeOffset, string> local) => current switch
    {
        null => "Chưa nộp",
        { Late: true } => $"Nộp muộn lúc {local(current.ReceivedAt)}",
        _ => $"Đã nộp đúng hạn lúc {local(current.ReceivedAt)}",
    };

    /// <summary>"Quản trị viên" or "Mã truy cập số 12": who sent a submission, never the code itself.</summary>
    public static string Sender(string submittedBy) =>
        submittedBy == "admin" ? "Quản trị viên"
        : submittedBy.StartsWith("token:", StringComparison.Ordinal) ? $"Mã truy cập số {submittedBy[6..]}" : submittedBy;

    public static string UnitState(string status) => status switch
    {
        "on-time" => "Đúng hạn",
        "late" => "Nộp muộn",
        _ => "Chưa nộp",
    };

    /// <summary>The column or criterion an error is about, as the person sees it in the file or the form.</summary>
    public static string Field(SubmissionError e, CriteriaSet? set, IReadOnlyList<DataElement> elements)
    {
        if (e.Field.StartsWith("tc", StringComparison.Ordinal) && int.TryParse(e.Field[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            return set?.Criteria.FirstOrDefault(c => c.Number == n) is { } c ? $"{e.Field} (tiêu chí {n}. {c.Name})" : e.Field;
        if (e.Field.StartsWith("data.", StringComparison.Ordinal))
            return elements.FirstOrDefault(d => d.Code == e.Field[5..])?.Name ?? e.Field;
        return e.Field switch
        {
            "status" => "Tình trạng",
            "recognized_year" => "Năm công nhận",
            "criteria_met" => "Tiêu chí đạt",
            "code" => "Mã xã",
            "communes" => "Danh sách xã",
            "header" => "Tiêu đề cột",
            "row" => "Dòng",
            "body" => "Tệp",
            "period" => "Kỳ báo cáo",
            "unit" => "Đơn vị",
            var other => other,
        };
    }

    /// <summary>How to put it right ("cách sửa"), for the kinds of error a person can fix in the file or the form.</summary>
    public static string Fix(SubmissionError e, CriteriaSet? set) => e.Field switch
    {
        var f when f.StartsWith("tc", StringComparison.Ordinal) || f == "criteria_met" =>
            "Ghi 1 (hoặc x, Đạt) nếu xã đạt tiêu chí, 0 (hoặc Chưa đạt) nếu chưa đạt; không để trống ô nào.",
        "status" => $"Chọn một trong: {string.Join("; ", (set?.Statuses ?? []).Select(s => $"{s} ({Vn.Status(s)})"))}.",
        "recognized_year" => "Ghi năm xã được công nhận đạt chuẩn lần đầu (từ 2010 đến năm của kỳ báo cáo); để trống nếu xã chưa đạt chuẩn.",
        "code" => "Dùng đúng mã xã như trong tệp mẫu; mỗi xã một dòng.",
        "communes" => "Thêm dòng cho xã này; tệp mẫu đã có đủ các xã của đơn vị.",
        "header" => "Tải tệp mẫu mới, chép số liệu vào; không đổi, không thêm cột.",
        "row" => "Xóa các ô ghi bên phải cột cuối cùng.",
        "body" => "Mở tệp bằng Excel, lưu lại dạng Excel Workbook (.xlsx), Excel 97–2003 (.xls) hoặc CSV UTF-8, rồi gửi lại; hoặc dùng tệp mẫu.",
        "period" => "Liên hệ Văn phòng Điều phối nông thôn mới tỉnh.",
        var f when f.StartsWith("data.", StringComparison.Ordinal) => "Ghi một số không âm, hoặc để trống.",
        _ => "",
    };
}
