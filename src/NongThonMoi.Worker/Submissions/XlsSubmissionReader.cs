using System.Buffers.Binary;
using System.Text;
using ExcelDataReader;
using ExcelDataReader.Exceptions;

namespace NongThonMoi.Submissions;

/// <summary>
/// Reads the first sheet of an .xls upload (Excel 97–2003, BIFF8 inside an OLE2 compound file) into the same rows as a
/// CSV file, through ExcelDataReader, for offices that still save from Excel 2003 or export from older software.
/// Hardened like the .xlsx reader: the container is checked before
/// the library sees it, and rows and cells are counted while reading, so a crafted file is a 400, never a 500 or a hang.
/// </summary>
public static class XlsSubmissionReader
{
    public const string ContentType = "application/vnd.ms-excel";

    /// <summary>The OLE2 (compound file) signature that every genuine .xls starts with.</summary>
    private static ReadOnlySpan<byte> Signature => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    private const int HeaderBytes = 512;

    static XlsSubmissionReader()
    {
        // A BIFF8 workbook names its code page (1252, 1258, …) and ExcelDataReader asks for it even when every string is
        // UTF-16; .NET knows only the Unicode encodings until the code-page provider is registered. Registering twice is harmless.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    public static SubmittedReport Read(byte[] body, string unit, string period)
    {
        CheckContainer(body);
        var rows = new List<SheetRow>();
        var cells = 0L;
        try
        {
            using var stream = new MemoryStream(body, writable: false);
            using var reader = ExcelReaderFactory.CreateBinaryReader(stream);
            // The first sheet only, as for .xlsx; Read() also yields the empty rows between filled ones, and Depth is the
            // zero-based row index, so the row numbers are the ones the district sees in Excel.
            while (reader.Read())
            {
                if (rows.Count >= TabularSubmissionReader.MaxRows || (cells += reader.FieldCount) > TabularSubmissionReader.MaxCells)
                    throw TabularSubmissionReader.TooLarge("Excel (.xls)");
                var values = new string[reader.FieldCount];
                for (var i = 0; i < values.Length; i++) values[i] = XlsxSubmissionReader.Text(reader.GetValue(i));
                rows.Add(new SheetRow(reader.Depth + 1, values));
            }
        }
        catch (Exception e) when (e is ExcelReaderException or InvalidDataException or IOException or InvalidOperationException
                                       or NotSupportedException or FormatException or ArgumentException or OverflowException
                                       or IndexOutOfRangeException or NullReferenceException or KeyNotFoundException
                                       or EndOfStreamException or DecoderFallbackException or InvalidCastException)
        {
            // ExcelDataReader trusts the records it is given; a damaged or hand-made file fails inside it in many ways,
            // all of which mean the same thing to the district: the file cannot be read.
            throw Unreadable();
        }
        return TabularSubmissionReader.Read(rows, unit, period);
    }

    private static UnreadableSubmissionException Unreadable() =>
        new("tệp", "không đọc được tệp Excel 97–2003 (.xls); mở tệp bằng Excel, chọn Lưu thành (Save As) → \"Excel Workbook (*.xlsx)\" rồi gửi lại");

    /// <summary>
    /// The compound file's header, checked before ExcelDataReader allocates by it: a sector size or table count read from
    /// a crafted header would otherwise size its buffers. A zip (an .xlsx renamed to .xls, which happens) is told so.
    /// </summary>
    private static void CheckContainer(byte[] body)
    {
        if (body.Length >= 4 && body.AsSpan(0, 4).SequenceEqual("PK\u0003\u0004"u8))
            throw new UnreadableSubmissionException("tệp", "tệp có đuôi .xls nhưng thực ra là tệp .xlsx; đổi đuôi tệp thành .xlsx rồi gửi lại");
        if (body.Length < HeaderBytes || !body.AsSpan(0, Signature.Length).SequenceEqual(Signature))
            throw Unreadable();
        var header = body.AsSpan(0, HeaderBytes);
        var major = BinaryPrimitives.ReadUInt16LittleEndian(header[26..]);
        var byteOrder = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
        var sectorShift = BinaryPrimitives.ReadUInt16LittleEndian(header[30..]);
        var miniSectorShift = BinaryPrimitives.ReadUInt16LittleEndian(header[32..]);
        // Version 3 files use 512-byte sectors, version 4 files 4096-byte ones ([MS-CFB] 2.2); nothing else is a real file.
        if (byteOrder != 0xFFFE || miniSectorShift != 6 || !((major == 3 && sectorShift == 9) || (major == 4 && sectorShift == 12)))
            throw Unreadable();
        var sectors = (uint)(body.Length / (1 << sectorShift));
        var fatSectors = BinaryPrimitives.ReadUInt32LittleEndian(header[44..]);
        var miniFatSectors = BinaryPrimitives.ReadUInt32LittleEndian(header[64..]);
        var difatSectors = BinaryPrimitives.ReadUInt32LittleEndian(header[72..]);
        if (fatSectors > sectors || miniFatSectors > sectors || difatSectors > sectors) throw Unreadable();
    }
}
