using System.Text;
using NongThonMoi.Programme;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Programme;

/// <summary>
/// Issue 17, reference step: units with validity dates and <c>mergers.csv</c> (sáp nhập đơn vị hành chính), on a small
/// province computed by hand. On 2020-01-01 Một Một and Một Hai merge into 90102, which carries on as "Xã Hợp Nhất";
/// Một Ba is split between 90102 and a new 90104. On 2025-07-01 the district goes, 90104 joins 90102, and 90102 carries
/// on under the province.
/// </summary>
public class UnitHistoryTests
{
    private static readonly DateOnly Merger2020 = new(2020, 1, 1);
    private static readonly DateOnly Reform = new(2025, 7, 1);

    private static ReferenceData Load(string units = MergerProvince.Units, string? mergers = MergerProvince.Mergers)
    {
        using var reference = new TestReference(units);
        if (mergers is not null) File.WriteAllText(Path.Combine(reference.Directory, "mergers.csv"), mergers, Encoding.UTF8);
        return ReferenceLoader.Load(reference.Directory);
    }

    private static ReferenceException Refused(string units = MergerProvince.Units, string? mergers = MergerProvince.Mergers)
    {
        using var reference = new TestReference(units);
        if (mergers is not null) File.WriteAllText(Path.Combine(reference.Directory, "mergers.csv"), mergers, Encoding.UTF8);
        return Assert.Throws<ReferenceException>(() => ReferenceLoader.Load(reference.Directory));
    }

    private static string[] Communes(IEnumerable<Unit> units) =>
        units.Where(u => u.Level == UnitLevel.Commune).Select(u => $"{u.Code} {u.Name}").ToArray();

    [Fact]
    public void The_unit_list_of_a_day_either_side_of_a_merger()
    {
        var data = Load();

        Assert.Equal(["90101 Xã Một Một", "90102 Xã Một Hai", "90103 Xã Một Ba"], Communes(data.UnitsOn(Merger2020.AddDays(-1))));
        Assert.Equal(["90102 Xã Hợp Nhất", "90104 Xã Tân Lập"], Communes(data.UnitsOn(Merger2020)));
        Assert.Equal(["90102 Xã Hợp Nhất", "90104 Xã Tân Lập"], Communes(data.UnitsOn(Reform.AddDays(-1))));
        Assert.Equal(["90102 Xã Hợp Nhất"], Communes(data.UnitsOn(Reform)));
        Assert.Contains(data.UnitsOn(Reform.AddDays(-1)), u => u.Code == "901");
        Assert.DoesNotContain(data.UnitsOn(Reform), u => u.Code == "901");

        // Every version is kept; Units (what today's callers read) is the list after the last change.
        Assert.Equal(8, data.AllUnits.Count);
        Assert.Equal(["20", "90102"], data.Units.Select(u => u.Code));
        Assert.Equal("20", data.Units.Single(u => u.Code == "90102").ParentCode);
        Assert.Equal("TDMNPB", data.UnitOn("90102", Reform)!.Region);
        Assert.Equal(["bien-gioi"], data.UnitOn("90101", new DateOnly(2019, 6, 1))!.Flags);
        Assert.Null(data.UnitOn("90101", Merger2020));
    }

    [Fact]
    public void A_code_that_carries_on_with_a_new_name_has_two_versions_and_itself_as_predecessor()
    {
        var data = Load();

        Assert.Equal(["Xã Một Hai", "Xã Hợp Nhất", "Xã Hợp Nhất"], data.AllUnits.Where(u => u.Code == "90102").Select(u => u.Name));
        var formed = data.PredecessorsOf("90102", new DateOnly(2020, 6, 1))!;
        Assert.Equal(Merger2020, formed.Effective);
        Assert.Equal(["90101 Xã Một Một", "90102 Xã Một Hai", "90103 Xã Một Ba"], Communes(formed.Units));
        Assert.Equal("Xã Một Hai", formed.Retained!.Name);

        // Before any merger it has no predecessors; after the reform, its newest merger is the reform's.
        Assert.Null(data.PredecessorsOf("90102", new DateOnly(2019, 6, 1)));
        var reformed = data.PredecessorsOf("90102", Reform)!;
        Assert.Equal(Reform, reformed.Effective);
        Assert.Equal(["90102 Xã Hợp Nhất", "90104 Xã Tân Lập"], Communes(reformed.Units));
        Assert.Equal("901", reformed.Retained!.ParentCode);
    }

    [Fact]
    public void A_unit_split_in_two_is_a_predecessor_of_both()
    {
        var data = Load();

        var newUnit = data.PredecessorsOf("90104", Merger2020)!;
        Assert.Equal(["90103 Xã Một Ba"], Communes(newUnit.Units));
        Assert.Null(newUnit.Retained); // 90104 is a new code: nothing carries on for the rule "retained"
        Assert.Contains(data.PredecessorsOf("90102", Merger2020)!.Units, u => u.Code == "90103");
        Assert.Equal(2, data.Mergers.Count(m => m.OldCode == "90103"));
    }

    [Fact]
    public void Reporting_units_and_their_communes_on_a_day()
    {
        var data = Load();

        Assert.Equal(["901"], data.ReportingUnitsOn(Merger2020.AddDays(-1), UnitLevel.District).Select(u => u.Code));
        Assert.Equal(3, data.CommunesOf(data.UnitOn("901", Merger2020.AddDays(-1))!, Merger2020.AddDays(-1)).Count);
        Assert.Equal(2, data.CommunesOf(data.UnitOn("901", Merger2020)!, Merger2020).Count);
        Assert.Empty(data.ReportingUnitsOn(Reform, UnitLevel.District));
        Assert.Equal(["90102"], data.ReportingUnitsOn(Reform, UnitLevel.Commune).Select(u => u.Code));
        Assert.Equal(["90102"], data.CommunesOf(data.UnitOn("90102", Reform)!, Reform).Select(u => u.Code));
    }

    [Fact]
    public void A_file_without_validity_columns_or_mergers_means_what_it_meant_before()
    {
        var data = Load(TestReference.SmallProvince, mergers: null);

        Assert.Empty(data.Mergers);
        Assert.Equal(data.AllUnits, data.Units);
        Assert.Equal(data.Units, data.UnitsOn(new DateOnly(1990, 1, 1)));
        Assert.Equal(data.ReportingUnitsAt(UnitLevel.District), data.ReportingUnitsOn(new DateOnly(2026, 1, 1), UnitLevel.District));
        Assert.Null(data.PredecessorsOf("90101", new DateOnly(2026, 1, 1)));
    }

    [Theory]
    [InlineData("90104,Xã Tân Lập,commune,901,,,2020-06-01,2025-06-30", 10, "code 90104: validity 2020-06-01 – 2025-06-30 overlaps its row on line 9 (2020-01-01 – 2025-06-30)")]
    [InlineData("90102,Xã Một Hai,commune,901,,,,2019-06-30", 10, "code 90102: validity … – 2019-06-30 overlaps its row on line 5")]
    [InlineData("90105,Xã Ngày Sai,commune,901,,,2020-13-01,", 10, "valid_from \"2020-13-01\" is not a date yyyy-MM-dd")]
    [InlineData("90105,Xã Ngày Sai,commune,901,,,,01/07/2025", 10, "valid_to \"01/07/2025\" is not a date yyyy-MM-dd")]
    [InlineData("90105,Xã Ngược,commune,901,,,2021-01-01,2020-12-31", 10, "unit 90105: valid_from 2021-01-01 is after valid_to 2020-12-31")]
    [InlineData("90105,Xã Muộn,commune,901,,,2020-01-01,", 10, "parent 901 of 90105 is not valid for the whole of 2020-01-01 – …")]
    [InlineData("90105,Xã Sớm,commune,999,,,2020-01-01,", 10, "parent \"999\" of 90105 is not in the file")]
    public void A_bad_unit_version_is_refused_with_its_line_and_reason(string badLine, int line, string reason)
    {
        var e = Refused(MergerProvince.Units + "\n" + badLine + "\n");
        Assert.Equal("units.csv", e.File);
        Assert.Equal(line, e.Line);
        Assert.Contains(reason, e.Reason);
    }

    [Theory]
    [InlineData("2020-1-1,90101,90102", "effective \"2020-1-1\" is not a date yyyy-MM-dd")]
    [InlineData("2020-01-01,90199,90102", "old_code \"90199\" is not in units.csv")]
    [InlineData("2020-01-01,90103,90199", "new_code \"90199\" is not in units.csv")]
    [InlineData("2025-07-01,90104,90104", "new unit 90104 has no row in units.csv valid on 2025-07-01")]
    [InlineData("2025-07-01,90101,90102", "old unit 90101 has no row in units.csv valid on 2025-06-30, the day before the merger")]
    [InlineData("2020-01-01,90101,90102", "the row appears twice (first on line 2)")]
    [InlineData("2020-01-01,90101", "expected 3 fields, found 2")]
    public void A_bad_merger_row_is_refused_with_its_line_and_reason(string badLine, string reason)
    {
        var e = Refused(mergers: MergerProvince.Mergers + "\n" + badLine + "\n");
        Assert.Equal("mergers.csv", e.File);
        Assert.Equal(8, e.Line);
        Assert.Contains(reason, e.Reason);
    }

    [Fact]
    public void A_merged_code_still_valid_after_its_merger_date_is_refused()
    {
        // 90101 goes into 90102 on 2020-01-01 (mergers.csv line 2) but units.csv keeps it until mid-2020.
        var e = Refused(MergerProvince.Units.Replace("90101,Xã Một Một,commune,901,,bien-gioi,,2019-12-31", "90101,Xã Một Một,commune,901,,bien-gioi,,2020-06-30"));
        Assert.Equal("mergers.csv", e.File);
        Assert.Equal(2, e.Line);
        Assert.Equal("unit 90101 merged into 90102 from 2020-01-01 is still valid on that day in units.csv (… – 2020-06-30); " +
                     "end it on 2019-12-31, or add the row 2020-01-01,90101,90101 if its code carries on", e.Reason);
    }

    [Fact]
    public void A_cycle_of_mergers_is_refused()
    {
        // Both codes carry on, and each is said to go into the other on the same day.
        const string units = """
            code,name,level,parent,region,flags
            20,Tỉnh Thử Nghiệm,province,,TDMNPB,
            90101,Xã Một,commune,20,,
            90102,Xã Hai,commune,20,,
            """;
        const string mergers = """
            effective,old_code,new_code
            2020-01-01,90101,90101
            2020-01-01,90102,90102
            2020-01-01,90101,90102
            2020-01-01,90102,90101
            """;
        var e = Refused(units, mergers);
        Assert.Equal("mergers.csv", e.File);
        Assert.Equal(5, e.Line);
        Assert.Equal("the mergers of 2020-01-01 form a cycle: 90101 → 90102 → 90101 (lines 4, 5)", e.Reason);
    }

    [Fact]
    public void A_longer_cycle_is_refused_at_the_row_that_closes_it()
    {
        const string units = """
            code,name,level,parent,region,flags
            20,Tỉnh Thử Nghiệm,province,,TDMNPB,
            90101,Xã Một,commune,20,,
            90102,Xã Hai,commune,20,,
            90103,Xã Ba,commune,20,,
            """;
        const string mergers = """
            effective,old_code,new_code
            2020-01-01,90101,90102
            2020-01-01,90102,90103
            2020-01-01,90103,90101
            """;
        var e = Refused(units, mergers);
        Assert.Equal(4, e.Line);
        Assert.Contains("90101 → 90102 → 90103 → 90101 (lines 2, 3, 4)", e.Reason);
    }

    [Fact]
    public void A_bad_mergers_header_is_refused()
    {
        var e = Refused(mergers: "ngay,cu,moi\n2020-01-01,90101,90102\n");
        Assert.Equal(("mergers.csv", 1), (e.File, e.Line));
        Assert.Contains("the header must be effective,old_code,new_code", e.Reason);
    }
}
