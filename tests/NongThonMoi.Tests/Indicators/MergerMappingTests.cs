using Microsoft.Extensions.Options;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure.Jobs;
using NongThonMoi.Programme;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Indicators;

/// <summary>
/// Issue 17, the figures of merged units (CONTRACT §8), computed by hand on a small province. On 2020-01-01 Một Một (90101),
/// Một Hai (90102) and Một Ba (90103) merge into 90102 "Hợp Nhất", which carries on; Một Ba is split, its other part
/// forming 90104 "Tân Lập". On 2025-07-01 the district goes and 90104 joins 90102. Only 2019 rows exist unless a test adds some:
/// <list type="bullet">
/// <item>90101: dat-chuan since 2018, criteria 1–19</item>
/// <item>90102: chua-dat, criteria 1–10 and 12</item>
/// <item>90103: nang-cao since 2019, criteria 2–19</item>
/// </list>
/// </summary>
public sealed class MergerMappingTests : IDisposable
{
    private static readonly int[] AllNineteen = [.. Enumerable.Range(1, 19)];
    private static readonly int[] OneToTenAndTwelve = [.. Enumerable.Range(1, 10), 12];
    private static readonly int[] TwoToNineteen = [.. Enumerable.Range(2, 18)];

    private readonly TestReference _reference = MergerProvince.Folder();
    private readonly ReferenceData _data;
    private readonly ReportingCalendar _calendar;
    private readonly List<(string Period, Guid Submission, CommuneReport Row)> _rows =
    [
        ("2019-W50", Guid.NewGuid(), new CommuneReport("90101", Statuses.Standard, 2018, AllNineteen)),
        ("2019-W50", Guid.NewGuid(), new CommuneReport("90102", Statuses.NotMet, null, OneToTenAndTwelve)),
        ("2019-W50", Guid.NewGuid(), new CommuneReport("90103", Statuses.Advanced, 2019, TwoToNineteen)),
    ];

    public MergerMappingTests()
    {
        _data = ReferenceLoader.Load(_reference.Directory);
        _calendar = new ReportingCalendar(TimeProvider.System, Options.Create(new ScheduleOptions()), Options.Create(new ReportingOptions()),
            Options.Create(new ReferenceOptions { Directory = _reference.Directory }));
    }

    public void Dispose() => _reference.Dispose();

    /// <summary>The communes of the period's own boundaries (its deadline day), mapped as of that period.</summary>
    private async Task<MappedRows> MapAsync(string periodId, MergerRule rule = MergerRule.All, IReadOnlyDictionary<string, CommuneData>? candidates = null)
    {
        var period = ReportingPeriod.Parse(periodId);
        var units = _calendar.UnitsOf(_data, period);
        var mapping = new MergerMapping(_data, rule, d => _calendar.FirstPeriodFrom(d, ReportingCycle.Weekly));
        return await mapping.ResolveAsync(units.Communes, units.Boundaries, period, candidates ?? new Dictionary<string, CommuneData>(),
            windows => Task.FromResult<IReadOnlyDictionary<RowWindow, CommuneData>>(windows
                .Select(w => (w, row: _rows
                    .Where(r => r.Row.Code == w.Code && string.CompareOrdinal(r.Period, w.To) <= 0 && (w.From is null || string.CompareOrdinal(r.Period, w.From) >= 0))
                    .OrderByDescending(r => r.Period, StringComparer.Ordinal).FirstOrDefault()))
                .Where(x => x.row.Row is not null)
                .ToDictionary(x => x.w, x => new CommuneData(x.row.Row, x.row.Period, x.row.Submission))));
    }

    [Fact]
    public void The_first_period_of_a_merger_is_the_first_whose_deadline_day_is_on_or_after_it()
    {
        // 2020-01-01 is a Wednesday in ISO week 2020-W01, whose Friday deadline (03/01/2020) is after it.
        Assert.Equal("2020-W01", _calendar.FirstPeriodFrom(new DateOnly(2020, 1, 1), ReportingCycle.Weekly).Id);
        // 2025-07-01 is a Tuesday of 2025-W27 (deadline Friday 04/07/2025); a Saturday belongs to the next week's deadline.
        Assert.Equal("2025-W27", _calendar.FirstPeriodFrom(new DateOnly(2025, 7, 1), ReportingCycle.Weekly).Id);
        Assert.Equal("2025-W28", _calendar.FirstPeriodFrom(new DateOnly(2025, 7, 5), ReportingCycle.Weekly).Id);
        Assert.Equal(new DateOnly(2020, 3, 6), _calendar.BoundariesOf(ReportingPeriod.Parse("2020-W10")));
    }

    [Fact]
    public async Task Rule_all_a_criterion_counts_only_if_every_predecessor_met_it_the_status_is_the_lowest_the_year_the_latest()
    {
        var mapped = await MapAsync("2020-W10");

        Assert.Equal(["90102", "90104"], mapped.Rows.Keys.Order());
        var merged = mapped.Rows["90102"];
        // {1..19} ∩ {1..10, 12} ∩ {2..19} = {2..10, 12}; lowest of dat-chuan, chua-dat, nang-cao; latest of 2018, –, 2019.
        Assert.Equal([2, 3, 4, 5, 6, 7, 8, 9, 10, 12], merged.Row.CriteriaMet);
        Assert.Equal(Statuses.NotMet, merged.Row.Status);
        Assert.Equal(2019, merged.Row.RecognizedYear);
        Assert.Equal(["90101", "90102", "90103"], merged.DerivedFrom);
        Assert.Equal("2019-W50", merged.Period);
        // Tân Lập was formed from part of Một Ba alone: its data is Một Ba's.
        var part = mapped.Rows["90104"];
        Assert.Equal(TwoToNineteen, part.Row.CriteriaMet);
        Assert.Equal((Statuses.Advanced, 2019), (part.Row.Status, part.Row.RecognizedYear));
        Assert.Equal(["90103"], part.DerivedFrom);
        Assert.Equal(3, mapped.Used.Count);
    }

    [Fact]
    public async Task Rule_all_among_standard_predecessors_the_lowest_status_wins()
    {
        _rows[1] = ("2019-W50", _rows[1].Submission, new CommuneReport("90102", Statuses.Standard, 2017, AllNineteen));

        var merged = (await MapAsync("2020-W10")).Rows["90102"];

        Assert.Equal((Statuses.Standard, 2019), (merged.Row.Status, merged.Row.RecognizedYear));
        Assert.Equal(TwoToNineteen, merged.Row.CriteriaMet);
    }

    [Fact]
    public async Task Rule_all_a_predecessor_without_data_leaves_the_new_unit_without_data()
    {
        _rows.RemoveAt(2); // Một Ba never reported

        var mapped = await MapAsync("2020-W10");

        Assert.Empty(mapped.Rows);
    }

    [Fact]
    public async Task Rule_retained_takes_the_data_of_the_predecessor_whose_code_carries_on()
    {
        var mapped = await MapAsync("2020-W10", MergerRule.Retained);

        var merged = mapped.Rows["90102"];
        Assert.Equal(OneToTenAndTwelve, merged.Row.CriteriaMet);
        Assert.Equal((Statuses.NotMet, (int?)null), (merged.Row.Status, merged.Row.RecognizedYear));
        Assert.Equal(["90101", "90102", "90103"], merged.DerivedFrom);
        // No predecessor of Tân Lập carries its code on.
        Assert.False(mapped.Rows.ContainsKey("90104"));
    }

    [Fact]
    public async Task A_new_unit_uses_its_own_rows_once_it_reports_and_a_row_sent_under_its_code_before_the_merger_is_not_its_own()
    {
        // The 2019 row of code 90102 belongs to the old Một Hai: handed over as a candidate, it is still not Hợp Nhất's own data.
        var old = _rows[1];
        var candidates = new Dictionary<string, CommuneData> { ["90102"] = new(old.Row, old.Period, old.Submission) };
        Assert.NotNull((await MapAsync("2020-W11", candidates: candidates)).Rows["90102"].DerivedFrom);

        var own = Guid.NewGuid();
        _rows.Add(("2020-W12", own, new CommuneReport("90102", Statuses.Standard, 2020, AllNineteen)));

        var before = (await MapAsync("2020-W11")).Rows["90102"];
        var after = (await MapAsync("2020-W12")).Rows["90102"];
        var later = (await MapAsync("2020-W20")).Rows["90102"];

        Assert.NotNull(before.DerivedFrom);
        Assert.Null(after.DerivedFrom);
        Assert.Equal((own, Statuses.Standard, 19), (after.SubmissionId, after.Row.Status, after.Row.CriteriaMet.Count));
        Assert.Equal(("2020-W12", own), (later.Period, later.SubmissionId)); // carried forward as the unit's own
    }

    [Fact]
    public async Task Mergers_of_mergers_are_followed_back_to_the_newest_data()
    {
        // 2025-W30: Hợp Nhất (90102 after the reform) = Hợp Nhất (2020–2025, no rows of its own) + Tân Lập (likewise); each
        // of those is derived from 2019's communes in turn: {2..10, 12} ∩ {2..19} = {2..10, 12}.
        var merged = (await MapAsync("2025-W30")).Rows.Single();

        Assert.Equal("90102", merged.Key);
        Assert.Equal([2, 3, 4, 5, 6, 7, 8, 9, 10, 12], merged.Value.Row.CriteriaMet);
        Assert.Equal((Statuses.NotMet, 2019), (merged.Value.Row.Status, merged.Value.Row.RecognizedYear));
        Assert.Equal(["90102", "90104"], merged.Value.DerivedFrom);
    }

    [Fact]
    public async Task A_period_before_the_merger_sees_the_old_units_and_their_own_rows()
    {
        var mapped = await MapAsync("2019-W51");

        Assert.Equal(["90101", "90102", "90103"], mapped.Rows.Keys.Order());
        Assert.All(mapped.Rows.Values, r => Assert.Null(r.DerivedFrom));
        Assert.Equal(OneToTenAndTwelve, mapped.Rows["90102"].Row.CriteriaMet);
    }

    [Fact]
    public async Task The_previous_years_baseline_is_mapped_onto_the_new_units()
    {
        // The end of 2019 as the figures of 2020 compare with it: on the 2020 units, as of 2019-W52.
        var units = _calendar.UnitsOf(_data, ReportingPeriod.Parse("2020-W10"));
        var mapping = new MergerMapping(_data, MergerRule.All, d => _calendar.FirstPeriodFrom(d, ReportingCycle.Weekly));
        var baseline = await mapping.ResolveAsync(units.Communes, units.Boundaries, ReportingPeriod.Parse("2019-W52"),
            new Dictionary<string, CommuneData>(), windows => Task.FromResult<IReadOnlyDictionary<RowWindow, CommuneData>>(windows
                .Select(w => (w, r: _rows.FirstOrDefault(r => r.Row.Code == w.Code && string.CompareOrdinal(r.Period, w.To) <= 0)))
                .Where(x => x.r.Row is not null)
                .ToDictionary(x => x.w, x => new CommuneData(x.r.Row, x.r.Period, x.r.Submission))));

        // Two units, 10 and 18 criteria: an average of 14,00 to compare 2020's two units with, not 2019's three (16,33).
        Assert.Equal([10, 18], baseline.Rows.Values.Select(r => r.Row.CriteriaMet.Count).Order());
    }
}
