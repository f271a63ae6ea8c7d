using System.Globalization;

namespace NongThonMoi.Programme;

/// <summary>Numbers and dates the way a Vietnamese reader writes them: 11,54 · 1.234 · 29,5% · 30/12/2019.</summary>
public static class Vn
{
    public static readonly CultureInfo Culture = CreateCulture();

    private static CultureInfo CreateCulture()
    {
        // Spelled out rather than trusted to the machine's ICU data, so output is the same everywhere.
        var c = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        c.NumberFormat.NumberDecimalSeparator = ",";
        c.NumberFormat.NumberGroupSeparator = ".";
        c.NumberFormat.PercentDecimalSeparator = ",";
        c.NumberFormat.PercentGroupSeparator = ".";
        return c;
    }

    public static string Int(int value) => value.ToString("#,0", Culture);

    public static string Dec(decimal? value, int decimals = 2) =>
        value is null ? "–" : value.Value.ToString("#,0." + new string('0', decimals), Culture);

    public static string Pct(decimal value) => value.ToString("#,0.0", Culture) + "%";

    public static string Pct(int part, int whole) => whole == 0 ? "–" : Pct(100m * part / whole);

    /// <summary>"2020-01-01" (a stored day) as "01/01/2020".</summary>
    public static string Date(string? isoDay) =>
        DateOnly.TryParseExact(isoDay, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) : isoDay ?? "";

    public static string DateTime(DateTime local) => local.ToString("HH:mm 'ngày' dd/MM/yyyy", CultureInfo.InvariantCulture);

    /// <summary>"↑ 1,50", "↓ 0,25", "không đổi".</summary>
    public static string Change(decimal? delta) => delta switch
    {
        null => "chưa có số liệu so sánh",
        > 0 => "↑ " + Dec(delta),
        < 0 => "↓ " + Dec(-delta),
        _ => "không đổi",
    };

    public static string Status(string? status) => status switch
    {
        Statuses.NotMet => "Chưa đạt chuẩn",
        Statuses.Standard => "Đạt chuẩn NTM",
        Statuses.Advanced => "NTM nâng cao",
        Statuses.Model => "NTM kiểu mẫu",
        Statuses.Modern => "NTM hiện đại",
        null => "Chưa có số liệu",
        var other => other,
    };

    public static string Submission(string submission, string? dataPeriod) => submission switch
    {
        "on-time" => "Đúng hạn",
        "late" => "Nộp muộn",
        _ => dataPeriod is null ? "Chưa báo cáo" : $"Chưa báo cáo (dùng kỳ {dataPeriod})",
    };
}
