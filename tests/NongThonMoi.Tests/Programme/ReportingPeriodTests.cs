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
}
