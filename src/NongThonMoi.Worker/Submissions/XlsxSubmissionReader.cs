using System.Globalization;
using System.Text;
using MiniExcelLibs;

namespace NongThonMoi.Submissions;

/// <summary>
/// Reads the first sheet of an .xlsx upload into the same rows as a CSV file. Excel stores what looks like
/// "1" or "2019" as a number or as text depending on how the cell was typed; both are read as the text a person sees.
/// </summary>
public static class XlsxSubmissionReader
{
    public static SubmittedReport Read(byte[] body, string unit, string period)
    {
        var raw = new List<object?[]>();
        try
        {
            using var stream = new MemoryStream(body, writable: false);
            // Without a header row MiniExcel yields every row from A1, empty ones included, keyed by column letter.
            foreach (IDictionary<string, object?> row in MiniExcel.Query(stream, useHeaderRow: false, excelType: ExcelType.XLSX))
                raw.Add(row.Values.ToArray());
        }
        catch (Exception e) when (e is InvalidDataException or System.Xml.XmlException or IOException or InvalidOperationException or NotSupportedException)
        {
            throw new UnreadableSubmissionException("tệp", "không đọc được tệp Excel (.xlsx); lưu lại bằng Excel dạng \"Excel Workbook (*.xlsx)\" rồi gửi lại");
        }
        var rows = raw.Select((cells, i) => new SheetRow(i + 1, cells.Select(Text).ToArray())).ToList();
        return TabularSubmissionReader.Read(rows, unit, period);
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        string s => s.Normalize(NormalizationForm.FormC),
        double d => d.ToString("0.##########", CultureInfo.InvariantCulture),
        decimal m => m.ToString("0.##########", CultureInfo.InvariantCulture),
        bool b => b ? "1" : "0",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
