using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Infrastructure.Jobs;
using NongThonMoi.Programme;

using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Programme;

/// <summary>Deadlines in Hà Nội time, across the UTC boundary, moved by holidays; periods locked after N days.</summary>
public sealed class ReportingCalendarTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"ntm-cal-{Guid.NewGuid():N}");

    public ReportingCalendarTests()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, "holidays.csv"), """
            date,name
            2027-04-30,Ngày Giải phóng miền Nam
            2027-05-01,Ngày Quốc tế Lao động
            2026-09-02,Quốc khánh
            """);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A local time in Asia/Ho_Chi_Minh (UTC+7, no daylight saving) as an instant.</summary>
    private static DateTimeOffset Local(int y, int mo, int d, int h, int mi) => HaNoi.At(y, mo, d, h, mi);

    private ReportingCalendar Calendar(DateTimeOffset now, string cycle = "weekly", string due = "FRI 17:00", int lockAfterDays = 0) => new(
        new FakeTimeProvider(now),
        Options.Create(new ScheduleOptions()),
        Options.Create(new ReportingOptions { Cycle = cycle, Due = due, LockAfterDays = lockAfterDays }),
        Options.Create(new ReferenceOptions { Directory = _folder }));

    [Fact]
    public void The_weekly_deadline_is_friday_17_00_local_time_which_is_10_00_utc()
    {
        var calendar = Calendar(Local(2026, 11, 25, 10, 0));
        Assert.Equal("2026-W48", calendar.Current.Id);
        var deadline = calendar.Deadline(calendar.Current);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero), deadline);
        Assert.False(calendar.IsLate(calendar.Current, Local(2026, 11, 27, 16, 59)));
        Assert.False(calendar.IsLate(calendar.Current, Local(2026, 11, 27, 17, 0)));
        Assert.True(calendar.IsLate(calendar.Current, Local(2026, 11, 27, 17, 1)));
        Assert.Equal("17:00 ngày 27/11/2026", calendar.FormatLocal(deadline));
    }

    [Fact]
    public void The_current_period_follows_the_local_date_not_the_utc_date()
    {
        // Monday 30/11 at 06:30 in Hà Nội is still Sunday 29/11 in UTC: locally it is already week 49.
        Assert.Equal("2026-W49", Calendar(Local(2026, 11, 30, 6, 30)).Current.Id);
        Assert.Equal("2026-W48", Calendar(Local(2026, 11, 29, 23, 59)).Current.Id);
    }

    [Fact]
    public void A_deadline_on_a_holiday_moves_to_the_next_working_day()
    {
        var calendar = Calendar(Local(2027, 4, 26, 9, 0));
        // Friday 30/4 and Saturday 1/5 are holidays, then the weekend: Monday 3/5.
        Assert.Equal(Local(2027, 5, 3, 17, 0), calendar.Deadline(ReportingPeriod.Parse("2027-W17")));
        // A holiday on another day of the week leaves Friday's deadline alone.
        Assert.Equal(Local(2026, 9, 4, 17, 0), calendar.Deadline(ReportingPeriod.Parse("2026-W36")));
    }

    [Theory]
    [InlineData("2026-02", "25 17:00", 2026, 2, 25)]
    [InlineData("2026-02", "31 17:00", 2026, 2, 28)]
    [InlineData("2026-Q4", "5 08:30", 2026, 12, 5)]
    public void Monthly_and_quarterly_deadlines_fall_in_the_last_month_of_the_period(string period, string due, int y, int m, int d)
    {
        var cycle = period.Contains('Q') ? "quarterly" : "monthly";
        var calendar = Calendar(Local(2026, 1, 5, 9, 0), cycle, due);
        var time = TimeOnly.Parse(due.Split(' ')[1]);
        Assert.Equal(Local(y, m, d, time.Hour, time.Minute), calendar.Deadline(ReportingPeriod.Parse(period)));
    }

    [Fact]
    public void A_period_locks_only_when_lock_after_days_is_set_and_passed()
    {
        var w48 = ReportingPeriod.Parse("2026-W48");
        Assert.False(Calendar(Local(2027, 6, 1, 9, 0)).IsLocked(w48));                         // default 0: never
        Assert.False(Calendar(Local(2026, 12, 4, 16, 59), lockAfterDays: 7).IsLocked(w48));
        Assert.True(Calendar(Local(2026, 12, 4, 17, 1), lockAfterDays: 7).IsLocked(w48));
    }

    [Fact]
    public void A_period_of_another_cycle_is_refused_with_an_example()
    {
        var calendar = Calendar(Local(2026, 11, 25, 10, 0));
        Assert.False(calendar.TryParsePeriod("2026-11", out _, out var error));
        Assert.Contains("2026-W48", error);
        Assert.False(calendar.TryParsePeriod("tuần 48", out _, out error));
        Assert.Contains("không phải là kỳ báo cáo hợp lệ", error);
    }
}
