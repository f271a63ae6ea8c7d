using System.Globalization;
using Microsoft.Extensions.Options;
using NongThonMoi.Infrastructure.Jobs;

namespace NongThonMoi.Programme;

/// <summary>
/// Periods and deadlines in <c>Schedule:TimeZone</c>. A deadline that falls on a holiday listed in
/// <c>holidays.csv</c> (or on the weekend after one) moves to the next working day.
/// </summary>
public sealed class ReportingCalendar
{
    private readonly TimeProvider _clock;
    private readonly TimeZoneInfo _zone;
    private readonly ReportingOptions _reporting;
    private readonly DueTime _due;
    private readonly Lazy<IReadOnlySet<DateOnly>> _holidays;

    public ReportingCalendar(TimeProvider clock, IOptions<ScheduleOptions> schedule, IOptions<ReportingOptions> reporting, IOptions<ReferenceOptions> reference)
    {
        _clock = clock;
        _zone = schedule.Value.Zone;
        _reporting = reporting.Value;
        DueTime.TryParse(_reporting.Due, Cycle, out _due);
        _holidays = new(() => HolidaysFile.Load(Path.Combine(ReferenceLoader.ResolveDirectory(reference.Value.Directory), "holidays.csv")));
    }

    public ReportingCycle Cycle => _reporting.ReportingCycle;

    public TimeZoneInfo Zone => _zone;

    public DateTimeOffset Now => _clock.GetUtcNow();

    public DateTime LocalNow => TimeZoneInfo.ConvertTime(Now, _zone).DateTime;

    public DateTime ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, _zone).DateTime;

    public ReportingPeriod Current => ReportingPeriod.Containing(DateOnly.FromDateTime(LocalNow), Cycle);

    /// <summary>
    /// The newest period whose deadline has passed: the one the scheduled bulletin reports on (Monday's bulletin is last
    /// week's) and the one that gets the overdue reminder.
    /// </summary>
    public ReportingPeriod LastClosed => Deadline(Current) <= Now ? Current : Current.Previous;

    /// <summary>A period id of this system's cycle, or an explanation of what was expected.</summary>
    public bool TryParsePeriod(string? id, out ReportingPeriod period, out string error)
    {
        error = "";
        if (!ReportingPeriod.TryParse(id, out period))
        {
            error = $"\"{id}\" không phải là kỳ báo cáo hợp lệ; kỳ có dạng {Example}";
            return false;
        }
        if (period.Cycle != Cycle)
        {
            error = $"kỳ \"{id}\" không đúng chu kỳ báo cáo ({_reporting.Cycle}); kỳ có dạng {Example}";
            return false;
        }
        return true;
    }

    private string Example => Current.Id;

    /// <summary>The deadline of <paramref name="period"/> as an instant.</summary>
    public DateTimeOffset Deadline(ReportingPeriod period)
    {
        DateOnly day;
        if (_due.Weekday is { } weekday)
        {
            day = period.Start.AddDays(((int)weekday + 6) % 7); // ISO weeks start on Monday
        }
        else
        {
            var lastMonth = period.End;
            day = new DateOnly(lastMonth.Year, lastMonth.Month, Math.Min(_due.Day!.Value, DateTime.DaysInMonth(lastMonth.Year, lastMonth.Month)));
        }
        if (_holidays.Value.Contains(day))
        {
            while (_holidays.Value.Contains(day) || day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) day = day.AddDays(1);
        }
        var local = day.ToDateTime(_due.Time, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, _zone.GetUtcOffset(local));
    }

    /// <summary>
    /// The day whose unit list a period uses (địa giới của kỳ báo cáo): its deadline day, local time. A period that straddles
    /// a merger is reported on the units the districts have when they fill it in (CONTRACT §8).
    /// </summary>
    public DateOnly BoundariesOf(ReportingPeriod period) => DateOnly.FromDateTime(ToLocal(Deadline(period)));

    /// <summary>The unit structure of a period: its units, the level that submits, the communes each reports for.</summary>
    public PeriodUnits UnitsOf(ReferenceData data, ReportingPeriod period)
    {
        var day = BoundariesOf(period);
        return PeriodUnits.Of(data, day, _reporting.LevelOn(day));
    }

    /// <summary>
    /// The first period of <paramref name="cycle"/> whose boundaries day is on or after <paramref name="day"/>: the first that
    /// sees a merger effective that day. Deadlines only move forward (to the next working day), so the answer is the period
    /// holding the day or a neighbour.
    /// </summary>
    public ReportingPeriod FirstPeriodFrom(DateOnly day, ReportingCycle cycle)
    {
        var p = ReportingPeriod.Containing(day, cycle);
        while (BoundariesOf(p.Previous) >= day) p = p.Previous;
        while (BoundariesOf(p) < day) p = p.Next;
        return p;
    }

    public bool IsLate(ReportingPeriod period, DateTimeOffset receivedAt) => receivedAt > Deadline(period);

    /// <summary>After <c>Reporting:LockAfterDays</c> past the deadline only the admin may still submit.</summary>
    public bool IsLocked(ReportingPeriod period) =>
        _reporting.LockAfterDays > 0 && Now > Deadline(period).AddDays(_reporting.LockAfterDays);

    public string FormatLocal(DateTimeOffset instant) =>
        ToLocal(instant).ToString("HH:mm 'ngày' dd/MM/yyyy", CultureInfo.InvariantCulture);
}
