using System.Text;

namespace NongThonMoi.Tests.Support;

/// <summary>
/// A small province with a history, worked by hand in the merger tests. On 2020-01-01 Một Một (90101), Một Hai (90102) and
/// Một Ba (90103) merge into 90102 "Hợp Nhất", which carries on; Một Ba is split, its other part forming 90104 "Tân Lập".
/// On 2025-07-01 the district goes, 90104 joins 90102, and 90102 carries on under the province.
/// </summary>
public static class MergerProvince
{
    public const string Units = """
        code,name,level,parent,region,flags,valid_from,valid_to
        20,Tỉnh Thử Nghiệm,province,,TDMNPB,,,
        901,Huyện Một,district,20,,,,2025-06-30
        90101,Xã Một Một,commune,901,,bien-gioi,,2019-12-31
        90102,Xã Một Hai,commune,901,,,,2019-12-31
        90102,Xã Hợp Nhất,commune,901,,,2020-01-01,2025-06-30
        90102,Xã Hợp Nhất,commune,20,,,2025-07-01,
        90103,Xã Một Ba,commune,901,,,,2019-12-31
        90104,Xã Tân Lập,commune,901,,,2020-01-01,2025-06-30
        """;

    public const string Mergers = """
        effective,old_code,new_code
        2020-01-01,90101,90102
        2020-01-01,90102,90102
        2020-01-01,90103,90102
        2020-01-01,90103,90104
        2025-07-01,90102,90102
        2025-07-01,90104,90102
        """;

    /// <summary>A reference folder with these units and mergers (and the shipped criteria sets).</summary>
    public static TestReference Folder(object? committees = null)
    {
        var reference = new TestReference(Units, committees);
        File.WriteAllText(Path.Combine(reference.Directory, "mergers.csv"), Mergers, Encoding.UTF8);
        return reference;
    }
}
