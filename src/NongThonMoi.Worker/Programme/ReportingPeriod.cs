using System.Globalization;
using System.Text.RegularExpressions;

namespace NongThonMoi.Programme;

public enum ReportingCycle { Weekly, Monthly, Quarterly }

/// <summary>
/// A reporting period (kỳ báo cáo): <c>YYYY-Www</c> (ISO 8601 week), <c>YYYY-MM</c> or <c>YYYY-Qn</c>.
/// Ids of one cycle sort in time order as plain strings, which the SQL relies on. <see cref="Year"/> is the
/// ISO week-year for weeks, so 2026-W01 belongs to 2026 even though it starts on 29/12/2025.
/// </summary>
public sealed partial record ReportingPeriod(string Id, ReportingCycle Cycle, int Year, DateOnly Start, DateOnly End)
{
    public static bool TryParse(string? id, out ReportingPeriod period)
    {
        period = null!;
        if (id is null) return false;
        var m = Pattern().Match(id);
        if (!m.Success) return false;
        var year = int.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture);
        if (year is < 2000 or > 2100) return false;
        if (m.Groups["w"].Success)
        {
            var week = int.Parse(m.Groups["w"].Value, CultureInfo.InvariantCulture);
            if (week < 1 || week > ISOWeek.GetWeeksInYear(year)) return false;
            var start = DateOnly.FromDateTime(ISOWeek.ToDateTime(year, week, DayOfWeek.Monday));
            period = new ReportingPeriod(id, ReportingCycle.Weekly, year, start, start.AddDays(6));
        }
        else if (m.Groups["m"].Success)
        {
            var month = int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture);
            if (month is < 1 or > 12) return false;
            var start = new DateOnly(year, month, 1);
            period = new ReportingPeriod(id, ReportingCycle.Monthly, year, start, start.AddMonths(1).AddDays(-1));
        }
        else
        {
            var quarter = int.Parse(m.Groups["q"].Value, CultureInfo.InvariantCulture);
            if (quarter is < 1 or > 4) return false;
            var start = new DateOnly(year, quarter * 3 - 2, 1);
            period = new ReportingPeriod(id, ReportingCycle.Quarterly, year, start, start.AddMonths(3).AddDays(-1));
        }
        return true;
    }

    public static ReportingPeriod Parse(string id) =>
        TryParse(id, out var p) ? p : throw new FormatException($"\"{id}\" is not a period (YYYY-Www, YYYY-MM or YYYY-Qn)");

    /// <summary>The period of <paramref name="cycle"/> that holds <paramref name="date"/>.</summary>
    public static ReportingPeriod Containing(DateOnly date, ReportingCycle cycle)
    {
        var dt = date.ToDateTime(TimeOnly.MinValue);
        return Parse(cycle switch
        {
            ReportingCycle.Weekly => $"{ISOWeek.GetYear(dt)}-W{ISOWeek.GetWeekOfYear(dt):00}",
            ReportingCycle.Monthly => $"{date.Year}-{date.Month:00}",
            _ => $"{date.Year}-Q{(date.Month + 2) / 3}",
        });
    }

    public ReportingPeriod Previous => Containing(Start.AddDays(-1), Cycle);

    public ReportingPeriod Next => Containing(End.AddDays(1), Cycle);

    /// <summary>
    /// The last period of the year before, whose data "stood at the end of the previous year". For weeks that is
    /// the last ISO week of that year: the week holding 31 December may already belong to the next one.
    /// </summary>
    public ReportingPeriod EndOfPreviousYear
    {
        get
        {
            var p = Containing(new DateOnly(Year - 1, 12, 31), Cycle);
            return p.Year == Year - 1 ? p : p.Previous;
        }
    }

    /// <summary>Vietnamese label: "Tuần 48/2026 (23/11–29/11/2026)", "Tháng 11/2026", "Quý 4/2026".</summary>
    public string Label => Cycle switch
    {
        ReportingCycle.Weekly => $"Tuần {Id[6..]}/{Year} ({Start:dd'/'MM}–{End:dd'/'MM'/'yyyy})",
        ReportingCycle.Monthly => $"Tháng {Start.Month:00}/{Year}",
        _ => $"Quý {Id[6..]}/{Year}",
    };

    /// <summary>A short label for tables and charts: "T48/2026", "11/2026", "Q4/2026".</summary>
    public string ShortLabel => Cycle switch
    {
        ReportingCycle.Weekly => $"T{Id[6..]}/{Year}",
        ReportingCycle.Monthly => $"{Start.Month:00}/{Year}",
        _ => $"Q{Id[6..]}/{Year}",
    };

    public override string ToString() => Id;

    [GeneratedRegex(@"^(?<y>\d{4})-(?:W(?<w>\d{2})|(?<m>\d{2})|Q(?<q>\d))$")]
    private static partial Regex Pattern();
}
