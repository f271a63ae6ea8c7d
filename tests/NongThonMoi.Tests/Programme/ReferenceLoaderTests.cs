using NongThonMoi.Programme;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Programme;

public class ReferenceLoaderTests
{
    [Fact]
    public void The_shipped_sample_province_loads()
    {
        var data = ReferenceLoader.Load(Path.Combine(AppContext.BaseDirectory, "config"));
        // Today: the two-tier structure, 61 xã under the province; on 30/06/2025 still 11 districts and 175 xã.
        Assert.Single(data.Units, u => u.Level == UnitLevel.Province);
        Assert.Equal(0, data.Units.Count(u => u.Level == UnitLevel.District));
        Assert.Equal(61, data.Units.Count(u => u.Level == UnitLevel.Commune));
        var beforeReform = data.UnitsOn(new DateOnly(2025, 6, 30));
        Assert.Equal((11, 175), (beforeReform.Count(u => u.Level == UnitLevel.District), beforeReform.Count(u => u.Level == UnitLevel.Commune)));
        Assert.Equal((291, 213), (data.AllUnits.Count, data.Mergers.Count));
        Assert.All(data.AllUnits, u => Assert.Equal("TDMNPB", u.Region));
        Assert.Equal([19, 19, 10], data.CriteriaSets.Select(s => s.Count));
        Assert.Equal(12, data.Committees.Count);
        Assert.All(data.Committees.SelectMany(c => c.Members), m => Assert.EndsWith("example.vn", m.Email));
    }

    [Theory]
    [InlineData("90102,Xã Một Hai,village,901,,", 5, "level \"village\"")]
    [InlineData("90101,Xã Trùng,commune,901,,", 5, "appears twice")]
    [InlineData("90104,Xã Lạc,commune,999,,", 5, "parent \"999\"")]
    [InlineData("9010,Xã Ngắn,commune,901,,", 5, "must be 5 digits")]
    [InlineData("90104,Xã Vùng,commune,901,XYZ,", 5, "region \"XYZ\"")]
    [InlineData("90104,Xã Cờ,commune,901,,vip", 5, "flag \"vip\"")]
    [InlineData("90104,Xã Thiếu,commune,901", 5, "expected 6 fields")]
    public void A_bad_units_file_is_refused_with_its_line_and_reason(string badLine, int line, string reason)
    {
        var csv = """
            code,name,level,parent,region,flags
            20,Tỉnh Thử Nghiệm,province,,TDMNPB,
            901,Huyện Một,district,20,,
            90101,Xã Một Một,commune,901,,
            """ + "\n" + badLine + "\n";
        using var reference = new TestReference(csv);
        var e = Assert.Throws<ReferenceException>(() => ReferenceLoader.Load(reference.Directory));
        Assert.Equal("units.csv", e.File);
        Assert.Equal(line, e.Line);
        Assert.Contains(reason, e.Reason);
    }

    [Fact]
    public void A_committee_for_an_unknown_unit_is_refused_with_its_line()
    {
        using var reference = new TestReference(TestReference.SmallProvince,
            committees: new[] { new { id = "bcd-999", name = "Ban Chỉ đạo lạ", scope = "999", members = Array.Empty<object>() } });
        var e = Assert.Throws<ReferenceException>(() => ReferenceLoader.Load(reference.Directory));
        Assert.Equal("committees.json", e.File);
        Assert.NotNull(e.Line);
        Assert.Contains("scope \"999\"", e.Reason);
    }

    [Fact]
    public void Units_may_carry_a_commune_group_and_inherit_the_region()
    {
        using var reference = new TestReference("""
            code,name,level,parent,region,flags,group
            20,Tỉnh Thử Nghiệm,province,,TDMNPB,,
            90101,Xã Một,commune,20,,,3
            90102,Xã Hai,commune,20,DBSH,,
            """);
        var units = ReferenceLoader.Load(reference.Directory).Units;
        Assert.Equal(3, units.Single(u => u.Code == "90101").CommuneGroup);
        Assert.Equal("TDMNPB", units.Single(u => u.Code == "90101").Region);
        Assert.Equal("DBSH", units.Single(u => u.Code == "90102").Region);
    }
}
