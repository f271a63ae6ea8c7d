using System.Net.Http.Headers;
using System.Text;

namespace NongThonMoi.Tests.Portal;

/// <summary>Sheets of the small test province (TestReference.SmallProvince) for the 10-criteria set of 2026.</summary>
internal static class FileCsv
{
    public const string Unit901 = """
        commune_code,status,recognized_year,tc01,tc02,tc03,tc04,tc05,tc06,tc07,tc08,tc09,tc10
        90101,dat-chuan,2024,1,1,1,1,1,1,1,1,1,1
        90102,chua-dat,,1,1,1,1,1,1,0,0,0,0
        90103,chua-dat,,1,1,0,0,0,0,0,0,0,0
        """;

    /// <summary>Two mistakes, on rows 2 and 4: an empty tc03 and a status nobody knows.</summary>
    public const string Unit901TwoErrors = """
        commune_code,status,recognized_year,tc01,tc02,tc03,tc04,tc05,tc06,tc07,tc08,tc09,tc10
        90101,dat-chuan,2024,1,1,,1,1,1,1,1,1,1
        90102,chua-dat,,1,1,1,1,1,1,0,0,0,0
        90103,dat-chuann,,1,1,0,0,0,0,0,0,0,0
        """;

    public const string Unit902 = """
        commune_code,status,recognized_year,tc01,tc02,tc03,tc04,tc05,tc06,tc07,tc08,tc09,tc10
        90201,chua-dat,,1,1,1,1,1,1,0,0,0,0
        90202,chua-dat,,1,0,0,0,0,0,0,0,0,0
        """;

    /// <summary>The same sheet saved as Excel 97–2003 (.xls): digits become numbers, as Excel stores what a person types.</summary>
    public static byte[] Xls(string csv) => NongThonMoi.Tests.Support.XlsWriter.Workbook(csv.Split('\n').Select(line =>
        (IReadOnlyList<object?>)line.Trim().Split(',').Select((cell, i) =>
            i != 0 && int.TryParse(cell, out var n) ? n : (object?)(cell.Length == 0 ? null : cell)).ToArray()));

    public static byte[] Bytes(string csv) => Encoding.UTF8.GetBytes(csv.ReplaceLineEndings("\r\n"));

    public static ByteArrayContent Body(string csv)
    {
        var content = new ByteArrayContent(Bytes(csv));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return content;
    }
}
