using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Infrastructure.Jobs;
using NongThonMoi.Programme;

namespace NongThonMoi.Tests.Programme;

public class ReportingPeriodTests
{
    [Theory]
    [InlineData("2026-W48", "2026-11-23", "2026-11-29", 2026)]
    [InlineData("2026-W01", "2025-12-29", "2026-01-04", 2026)]
    [InlineData("2020-W53", "2020-12-28", "2021-01-03", 2020)]
    [InlineData("2019-12", "2019-12-01", "2019-12-31", 2019)]
    [InlineData("2024-02", "2024-02-01", "2024-02-29", 2024)]
    [InlineData("2019-Q4", "2019-10-01", "2019-12-31", 2019)]
    public void Parses_weeks_months_and_quarters(string id, string start, string end, int year)
    {
        var p = ReportingPeriod.Parse(id);
        Assert.Equal(DateOnly.Parse(start), p.Start);
        Assert.Equal(DateOnly.Parse(end), p.End);
        Assert.Equal(year, p.Year);
    }

    [Theory]
    [InlineData("2026-W54")]
    [InlineData("2021-W53")]
    [InlineData("2026-13")]
    [InlineData("2026-Q5")]
    [InlineData("26-W01")]
    [InlineData("")]
    public void Rejects_what_is_not_a_period(string id) => Assert.False(ReportingPeriod.TryParse(id, out _));

    [Theory]
    [InlineData("2026-W48", "2025-W52")]
    [InlineData("2021-W10", "2020-W53")]
    [InlineData("2020-03", "2019-12")]
    [InlineData("2020-Q1", "2019-Q4")]
    public void End_of_previous_year_is_the_last_period_of_that_year(string id, string expected) =>
        Assert.Equal(expected, ReportingPeriod.Parse(id).EndOfPreviousYear.Id);

    [Fact]
    public void Labels_are_Vietnamese()
    {
        Assert.Equal("Tuần 48/2026 (23/11–29/11/2026)", ReportingPeriod.Parse("2026-W48").Label);
        Assert.Equal("Tháng 12/2019", ReportingPeriod.Parse("2019-12").Label);
        Assert.Equal("Quý 4/2019", ReportingPeriod.Parse("2019-Q4").Label);
    }

    [Fact]
    public void Previous_and_next_cross_the_year()
    {
        Assert.Equal("2025-W52", ReportingPeriod.Parse("2026-W01").Previous.Id);
        Assert.Equal("2021-W01", ReportingPeriod.Parse("2020-W53").Next.Id);
    }

    [Fact]
    public void Weekly_deadline_is_friday_17_00_in_the_schedule_time_zone()
    {
        var calendar = Calendar(new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)));
        var deadline = calendar.Deadline(ReportingPeriod.Parse("2026-W48"));
        // Friday 27/11/2026 17:00 in Hà Nội is 10:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero), deadline);
        Assert.Equal("2026-W48", calendar.Current.Id);
    }

    [Fact]
    public void Current_period_follows_local_time_not_utc()
    {
        // Sunday 29/11/2026 23:30 UTC is already Monday 30/11 06:30 in Hà Nội: week 49.
        var calendar = Calendar(new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 23, 30, 0, TimeSpan.Zero)));
        Assert.Equal("2026-W49", calendar.Current.Id);
    }

    [Fact]
    public void Monthly_deadline_day_is_clamped_to_the_month()
    {
        var calendar = Calendar(new FakeTimeProvider(), new ReportingOptions { Cycle = "monthly", Due = "31 17:00" });
        Assert.Equal(new DateTimeOffset(2026, 2, 28, 10, 0, 0, TimeSpan.Zero), calendar.Deadline(ReportingPeriod.Parse("2026-02")));
    }

    internal static ReportingCalendar Calendar(TimeProvider clock, ReportingOptions? reporting = null, string? referenceDirectory = null) =>
        new(clock, Options.Create(new ScheduleOptions()), Options.Create(reporting ?? new ReportingOptions()),
            Options.Create(new ReferenceOptions { Directory = referenceDirectory ?? Path.Combine(Path.GetTempPath(), "ntm-no-such-folder") }));
}
