using System.Text;
using NongThonMoi.Infrastructure;

namespace NongThonMoi.Submissions;

/// <summary>
/// Reads a CSV upload: UTF-8 with or without BOM, comma or semicolon (Excel in Vietnamese locale saves ';'),
/// CRLF or LF. Text is brought to NFC first, because some spreadsheets save Vietnamese decomposed (NFD)
/// and "Đạt" must read the same however it was typed.
/// </summary>
public static class CsvSubmissionReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static SubmittedReport Read(byte[] body, string unit, string period)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(body).Normalize(NormalizationForm.FormC);
        }
        catch (DecoderFallbackException e)
        {
            throw new UnreadableSubmissionException($"byte {e.Index + 1}",
                "tệp CSV không phải mã UTF-8; trong Excel chọn Lưu thành (Save As) → \"CSV UTF-8 (Comma delimited)\"");
        }
        List<Csv.Row> rows;
        try
        {
            rows = Csv.Read(text);
        }
        catch (CsvFormatException e)
        {
            throw new UnreadableSubmissionException($"dòng {e.Line}", "có ô mở dấu nháy kép (\") nhưng không đóng lại");
        }
        return TabularSubmissionReader.Read(rows.Select(r => new SheetRow(r.Line, r.Fields)).ToList(), unit, period);
    }
}
