using System.Globalization;
using System.IO.Compression;
using System.Text;
using MiniExcelLibs;

namespace NongThonMoi.Submissions;

/// <summary>
/// Reads the first sheet of an .xlsx upload into the same rows as a CSV file. Excel stores what looks like
/// "1" or "2019" as a number or as text depending on how the cell was typed; both are read as the text a person sees.
/// </summary>
public static class XlsxSubmissionReader
{
    /// <summary>
    /// A real submission sheet (a few hundred communes) unpacks to well under 1 MB; 50 MB leaves room for heavy formatting
    /// while a zip bomb (a 5 MB upload that inflates to gigabytes) is refused after reading at most this much.
    /// </summary>
    internal const long MaxUnpackedBytes = 50L * 1024 * 1024;

    /// <summary>A workbook has a few dozen parts; thousands of entries is not a sheet anyone filled in.</summary>
    internal const int MaxParts = 1000;

    public static SubmittedReport Read(byte[] body, string unit, string period)
    {
        CheckPackage(body);
        var raw = new List<object?[]>();
        try
        {
            using var stream = new MemoryStream(body, writable: false);
            // Without a header row MiniExcel yields every row from A1, empty ones included, keyed by column letter.
            var cells = 0L;
            foreach (IDictionary<string, object?> row in MiniExcel.Query(stream, useHeaderRow: false, excelType: ExcelType.XLSX))
            {
                // The same caps as .xls: a sheet whose rows inflate within MaxUnpackedBytes can still be millions of cells.
                if (raw.Count >= TabularSubmissionReader.MaxRows || (cells += row.Count) > TabularSubmissionReader.MaxCells)
                    throw TabularSubmissionReader.TooLarge("Excel");
                raw.Add(row.Values.ToArray());
            }
        }
        catch (Exception e) when (e is InvalidDataException or System.Xml.XmlException or IOException or InvalidOperationException
                                       or NotSupportedException or FormatException or ArgumentException or OverflowException
                                       or IndexOutOfRangeException or NullReferenceException or KeyNotFoundException)
        {
            // MiniExcel trusts the package it is given; a damaged or hand-made one fails inside it in many ways,
            // all of which mean the same thing to the district: the file cannot be read.
            throw Unreadable();
        }
        var rows = raw.Select((cells, i) => new SheetRow(i + 1, cells.Select(Text).ToArray())).ToList();
        return TabularSubmissionReader.Read(rows, unit, period);
    }

    private static UnreadableSubmissionException Unreadable() =>
        new("tệp", "không đọc được tệp Excel (.xlsx); lưu lại bằng Excel dạng \"Excel Workbook (*.xlsx)\" rồi gửi lại");

    /// <summary>
    /// Inflates every part once, counting, before MiniExcel sees the file: the sizes written in a zip's directory can lie,
    /// so only the bytes actually produced are trusted. A package that is not a zip, or that unpacks to more than
    /// <see cref="MaxUnpackedBytes"/>, is refused here, cheaply.
    /// </summary>
    private static void CheckPackage(byte[] body)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(body, writable: false), ZipArchiveMode.Read);
            if (zip.Entries.Count > MaxParts) throw Unreadable();
            var total = 0L;
            var buffer = new byte[81920];
            foreach (var entry in zip.Entries)
            {
                using var part = entry.Open();
                int n;
                while ((n = part.Read(buffer, 0, buffer.Length)) > 0)
                {
                    total += n;
                    if (total > MaxUnpackedBytes)
                        throw new UnreadableSubmissionException("tệp",
                            $"tệp Excel giải nén ra hơn {MaxUnpackedBytes / 1024 / 1024} MB, không phải một bảng báo cáo; dùng tệp mẫu tại /api/templates/submission.xlsx");
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or ArgumentException)
        {
            throw Unreadable();
        }
    }

    /// <summary>A cell as the text a person sees in it (also used for .xls cells, which come back as the same types).</summary>
    internal static string Text(object? value) => value switch
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
