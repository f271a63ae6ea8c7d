using System.IO.Compression;
using System.Text;
using CsCheck;
using NongThonMoi.Submissions;
using NongThonMoi.Tests.Submissions;

namespace NongThonMoi.Tests.BadInput;

/// <summary>
/// Issue 7 item 5, property-based: whatever bytes arrive, the CSV and Excel readers either read them or refuse them with
/// <see cref="UnreadableSubmissionException"/> (a 400 with a message). Any other exception is a 500 for a district, which
/// CsCheck shrinks to the smallest body that causes it and reports with a seed to replay. Each property is bounded
/// (a few hundred bodies, one thread: the build machine is shared).
/// </summary>
public sealed class ReaderPropertyTests
{
    private const string Unit = "901";
    private const string Period = "2026-W48";

    private static void ReadsOrRefuses(Func<SubmittedReport> read)
    {
        try { read(); }
        catch (UnreadableSubmissionException) { /* the one refusal the API turns into a 400 */ }
    }

    [Fact]
    public void Random_bytes_to_the_CSV_reader_are_read_or_refused_with_a_reading_error() =>
        Gen.Byte.Array[0, 2000].Sample(bytes => ReadsOrRefuses(() => CsvSubmissionReader.Read(bytes, Unit, Period)), iter: 1000, threads: 1);

    /// <summary>Characters that matter to CSV and to the cells: separators, quotes, line ends, the cell values, NUL, NFD marks.</summary>
    private static readonly Gen<char> Tricky = Gen.Char[";,\"\r\n \t01xXĐạtđ\0\u0301\u0323=+-@<>'\uFEFFtc"];

    /// <summary>The valid district 901 sheet with a few random edits: deleted spans and inserted tricky text.</summary>
    private static readonly Gen<string> NearValidCsv =
        Gen.Select(Gen.Int[0, FileSubmissionTests.Csv901.Length], Gen.Int[0, 8], Gen.String[Tricky, 0, 6])
            .Array[1, 6]
            .Select(edits => edits.Aggregate(FileSubmissionTests.Csv901.ReplaceLineEndings("\r\n"), (text, e) =>
            {
                var at = Math.Min(e.Item1, text.Length);
                return text.Remove(at, Math.Min(e.Item2, text.Length - at)).Insert(at, e.Item3);
            }));

    [Fact]
    public void Near_valid_CSV_text_is_read_or_refused_with_a_reading_error() =>
        NearValidCsv.Sample(text => ReadsOrRefuses(() => CsvSubmissionReader.Read(Encoding.UTF8.GetBytes(text), Unit, Period)),
            iter: 1000, threads: 1, print: t => t);

    [Fact]
    public void Random_bytes_to_the_Excel_reader_are_read_or_refused_with_a_reading_error() =>
        Gen.OneOf(
                Gen.Byte.Array[0, 2000],
                // Starting with a zip signature gets past the first check and into the package parser.
                Gen.Byte.Array[0, 2000].Select(b => (byte[])[.. "PK\u0003\u0004"u8, .. b]))
            .Sample(bytes => ReadsOrRefuses(() => XlsxSubmissionReader.Read(bytes, Unit, Period)), iter: 500, threads: 1);

    private static readonly byte[] ValidWorkbook = XlsxSubmissionReaderTests.Workbook(
        FileSubmissionTests.Csv901.Split('\n').Skip(1).Select(line =>
        {
            var cells = line.Trim().Split(';');
            var row = new Dictionary<string, object?> { ["commune_code"] = cells[0], ["status"] = cells[1], ["recognized_year"] = cells[2] };
            for (var k = 3; k < cells.Length; k++) row[$"tc{k - 2:00}"] = cells[k];
            return (IDictionary<string, object?>)row;
        }));

    [Fact]
    public void The_valid_workbook_used_below_is_read()
    {
        // Guards the property below: mutations of a workbook the reader already refuses would prove nothing.
        Assert.Equal(3, XlsxSubmissionReader.Read(ValidWorkbook, Unit, Period).Communes.Count);
    }

    /// <summary>A valid workbook with a few bytes overwritten, and sometimes cut short: damaged zips, XML and cell data.</summary>
    private static readonly Gen<byte[]> MutatedWorkbook =
        Gen.Select(Gen.Select(Gen.Int[0, ValidWorkbook.Length - 1], Gen.Byte).Array[1, 8], Gen.Int[ValidWorkbook.Length / 2, ValidWorkbook.Length])
            .Select(t =>
            {
                var bytes = (byte[])ValidWorkbook.Clone();
                foreach (var (at, value) in t.Item1) bytes[at] = value;
                return bytes[..t.Item2];
            });

    [Fact]
    public void Mutated_workbooks_are_read_or_refused_with_a_reading_error() =>
        MutatedWorkbook.Sample(bytes => ReadsOrRefuses(() => XlsxSubmissionReader.Read(bytes, Unit, Period)), iter: 1000, threads: 1,
            print: b => Convert.ToBase64String(b));

    /// <summary>The workbook's parts, unpacked: damage inside the XML reaches MiniExcel's parser, which a damaged zip never does.</summary>
    private static readonly (string Name, byte[] Bytes)[] Parts = Unpack(ValidWorkbook);

    private static (string, byte[])[] Unpack(byte[] workbook)
    {
        using var zip = new ZipArchive(new MemoryStream(workbook), ZipArchiveMode.Read);
        return zip.Entries.Select(e =>
        {
            using var s = e.Open();
            using var copy = new MemoryStream();
            s.CopyTo(copy);
            return (e.FullName, copy.ToArray());
        }).ToArray();
    }

    private static readonly byte[] XmlBytes = "<>/=\"'&;: 0123456789rcstvABZ"u8.ToArray();

    private static readonly Gen<byte> XmlByte = Gen.OneOf(Gen.Byte, Gen.Int[0, XmlBytes.Length - 1].Select(i => XmlBytes[i]));

    /// <summary>One part (sheet, shared strings, styles, relationships…) with a few bytes overwritten, then packed again.</summary>
    private static readonly Gen<byte[]> WorkbookWithDamagedXml =
        Gen.Select(Gen.Int[0, Parts.Length - 1], Gen.Select(Gen.Int.Positive, XmlByte).Array[1, 6])
            .Select(t =>
            {
                using var buffer = new MemoryStream();
                using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
                    for (var i = 0; i < Parts.Length; i++)
                    {
                        var bytes = (byte[])Parts[i].Bytes.Clone();
                        if (i == t.Item1 && bytes.Length > 0)
                            foreach (var (at, value) in t.Item2) bytes[at % bytes.Length] = value;
                        using var entry = zip.CreateEntry(Parts[i].Name).Open();
                        entry.Write(bytes);
                    }
                return buffer.ToArray();
            });

    [Fact]
    public void Workbooks_with_damaged_XML_are_read_or_refused_with_a_reading_error() =>
        WorkbookWithDamagedXml.Sample(bytes => ReadsOrRefuses(() => XlsxSubmissionReader.Read(bytes, Unit, Period)), iter: 500, threads: 1,
            print: b => Convert.ToBase64String(b));

    private static readonly byte[] Ole2Signature = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    [Fact]
    public void Random_bytes_to_the_xls_reader_are_read_or_refused_with_a_reading_error() =>
        Gen.OneOf(
                Gen.Byte.Array[0, 2000],
                // The OLE2 signature, then noise: past the first check and into the header and sector checks.
                Gen.Byte.Array[0, 6000].Select(b => (byte[])[.. Ole2Signature, .. b]))
            .Sample(bytes => ReadsOrRefuses(() => XlsSubmissionReader.Read(bytes, Unit, Period)), iter: 500, threads: 1);

    private static readonly byte[] ValidXls = FileSubmissionTests.Xls901();

    /// <summary>Where the BIFF records start in <see cref="ValidXls"/>: after the header, one FAT sector and one directory sector.</summary>
    private const int BiffStart = 3 * 512;

    [Fact]
    public void The_valid_xls_used_below_is_read()
    {
        Assert.Equal(3, XlsSubmissionReader.Read(ValidXls, Unit, Period).Communes.Count);
        Assert.Equal((byte)0x09, ValidXls[BiffStart]); // the BOF record's id, 0x0809, little-endian
    }

    /// <summary>
    /// A valid .xls with a few bytes overwritten — mostly in its BIFF records (lengths, offsets, string counts, cell
    /// positions), sometimes in the compound file's header, FAT or directory — and sometimes cut short.
    /// </summary>
    private static readonly Gen<byte[]> MutatedXls =
        Gen.Select(
                Gen.Select(Gen.OneOf(Gen.Int[BiffStart, BiffStart + 700], Gen.Int[0, ValidXls.Length - 1]), Gen.Byte).Array[1, 8],
                Gen.OneOf(Gen.Const(ValidXls.Length), Gen.Int[ValidXls.Length / 2, ValidXls.Length]))
            .Select(t =>
            {
                var bytes = (byte[])ValidXls.Clone();
                foreach (var (at, value) in t.Item1) bytes[at] = value;
                return bytes[..t.Item2];
            });

    [Fact]
    public void Mutated_xls_workbooks_are_read_or_refused_with_a_reading_error() =>
        MutatedXls.Sample(bytes => ReadsOrRefuses(() => XlsSubmissionReader.Read(bytes, Unit, Period)), iter: 1000, threads: 1,
            print: b => Convert.ToBase64String(b));
}
