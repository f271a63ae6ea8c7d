using System.Buffers.Binary;
using System.Text;

namespace NongThonMoi.Tests.Support;

/// <summary>
/// Writes Excel 97–2003 workbooks (BIFF8 in an OLE2 compound file, [MS-XLS] and [MS-CFB]) for the .xls tests, so the
/// fixtures are built from the same rows as the .xlsx ones instead of being opaque binaries in the repository. It writes
/// the records of a minimal BIFF8 workbook as [MS-XLS] describes them — globals (BOF, CODEPAGE, WINDOW1, FONT, 15 style
/// XFs and one cell XF, BOUNDSHEET, SST, EOF) and one sheet (BOF, DIMENSIONS, WINDOW2, NUMBER/LABELSST cells, EOF) —
/// with strings in the shared string table as UTF-16 and numbers as IEEE doubles, the way Excel stores typed cells.
/// It is checked against ExcelDataReader (the reader under test), not against Excel itself. The compound file is version 3 (512-byte sectors),
/// its Workbook stream padded to the 4 096-byte mini-stream cutoff as Excel does, so no mini stream is needed.
/// </summary>
public static class XlsWriter
{
    private const uint EndOfChain = 0xFFFFFFFE;
    private const uint FreeSector = 0xFFFFFFFF;
    private const uint FatSector = 0xFFFFFFFD;
    private const uint NoStream = 0xFFFFFFFF;
    private const int SectorSize = 512;
    private const int MiniStreamCutoff = 4096;

    /// <summary>
    /// A workbook whose first sheet ("BaoCao") holds <paramref name="rows"/> from A1: a string becomes a shared-string
    /// cell, a number (int, long, double, decimal) a NUMBER cell, null no cell at all (an empty cell, as Excel saves it).
    /// <paramref name="claimedRows"/> overrides the row count written in DIMENSIONS, to build a file that lies about its size.
    /// </summary>
    public static byte[] Workbook(IEnumerable<IReadOnlyList<object?>> rows, uint? claimedRows = null) =>
        Compound("Workbook", Biff(rows.ToList(), claimedRows));

    /// <summary>An OLE2 compound file holding one stream: a real container, whatever the stream says (a Word file, a workbook).</summary>
    public static byte[] Compound(string streamName, byte[] content)
    {
        var stream = content.Length >= MiniStreamCutoff ? content : [.. content, .. new byte[MiniStreamCutoff - content.Length]];
        var streamSectors = (stream.Length + SectorSize - 1) / SectorSize;
        // The FAT covers itself, the directory sector and the stream's sectors; 128 entries per FAT sector.
        var fatSectors = 1;
        while (fatSectors * (SectorSize / 4) < fatSectors + 1 + streamSectors) fatSectors++;
        if (fatSectors > 109) throw new ArgumentException("too large for a compound file without DIFAT sectors", nameof(content));
        var directorySector = fatSectors;
        var firstStreamSector = fatSectors + 1;
        var totalSectors = firstStreamSector + streamSectors;

        var file = new byte[SectorSize * (1 + totalSectors)];
        var header = file.AsSpan(0, SectorSize);
        new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[24..], 0x003E);   // minor version
        BinaryPrimitives.WriteUInt16LittleEndian(header[26..], 3);        // major version 3: 512-byte sectors
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], 0xFFFE);   // little-endian
        BinaryPrimitives.WriteUInt16LittleEndian(header[30..], 9);        // sector shift: 2^9
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], 6);        // mini sector shift: 2^6
        BinaryPrimitives.WriteUInt32LittleEndian(header[44..], (uint)fatSectors);
        BinaryPrimitives.WriteUInt32LittleEndian(header[48..], (uint)directorySector);
        BinaryPrimitives.WriteUInt32LittleEndian(header[56..], MiniStreamCutoff);
        BinaryPrimitives.WriteUInt32LittleEndian(header[60..], EndOfChain); // no mini FAT
        BinaryPrimitives.WriteUInt32LittleEndian(header[68..], EndOfChain); // no DIFAT sectors
        for (var i = 0; i < 109; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(header[(76 + 4 * i)..], i < fatSectors ? (uint)i : FreeSector);

        Span<byte> Sector(int index) => file.AsSpan(SectorSize * (1 + index), SectorSize);
        void Fat(int index, uint next) => BinaryPrimitives.WriteUInt32LittleEndian(Sector(index / 128)[(4 * (index % 128))..], next);
        for (var i = 0; i < fatSectors * 128; i++) Fat(i, FreeSector);
        for (var i = 0; i < fatSectors; i++) Fat(i, FatSector);
        Fat(directorySector, EndOfChain);
        for (var i = 0; i < streamSectors; i++)
            Fat(firstStreamSector + i, i == streamSectors - 1 ? EndOfChain : (uint)(firstStreamSector + i + 1));

        var directory = Sector(directorySector);
        DirectoryEntry(directory[..128], "Root Entry", type: 5, child: 1, start: EndOfChain, size: 0);
        DirectoryEntry(directory[128..256], streamName, type: 2, child: NoStream, start: (uint)firstStreamSector, size: (uint)stream.Length);
        for (var i = 2; i < 4; i++)
        {
            var unused = directory[(128 * i)..(128 * (i + 1))];
            BinaryPrimitives.WriteUInt32LittleEndian(unused[68..], NoStream);
            BinaryPrimitives.WriteUInt32LittleEndian(unused[72..], NoStream);
            BinaryPrimitives.WriteUInt32LittleEndian(unused[76..], NoStream);
        }
        stream.CopyTo(file.AsSpan(SectorSize * (1 + firstStreamSector)));
        return file;
    }

    private static void DirectoryEntry(Span<byte> entry, string name, byte type, uint child, uint start, uint size)
    {
        Encoding.Unicode.GetBytes(name).CopyTo(entry);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[64..], (ushort)((name.Length + 1) * 2));
        entry[66] = type;
        entry[67] = 1; // black: a one-node red-black tree
        BinaryPrimitives.WriteUInt32LittleEndian(entry[68..], NoStream);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[72..], NoStream);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[76..], child);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[116..], start);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[120..], size);
    }

    private static byte[] Biff(List<IReadOnlyList<object?>> rows, uint? claimedRows)
    {
        var strings = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var references = 0;
        foreach (var s in rows.SelectMany(r => r).OfType<string>())
        {
            references++;
            if (!index.ContainsKey(s)) { index[s] = strings.Count; strings.Add(s); }
        }

        using var globals = new MemoryStream();
        Record(globals, 0x0809, Bof(0x0005));
        Record(globals, 0x0042, U16(1200));                                              // CODEPAGE: UTF-16
        Record(globals, 0x003D, [.. U16(0), .. U16(0), .. U16(0x3000), .. U16(0x2000), .. U16(0x0038), .. U16(0), .. U16(0), .. U16(1), .. U16(0x0258)]);
        Record(globals, 0x0031, [.. U16(200), .. U16(0), .. U16(0x7FFF), .. U16(400), .. U16(0), 0, 0, 0, 0, 5, 0, .. "Arial"u8]);
        for (var i = 0; i < 16; i++)                                                       // 15 style XFs, then the cell XF
            Record(globals, 0x00E0, [.. U16(0), .. U16(0), .. U16(i < 15 ? (ushort)0xFFF5 : (ushort)0x0001), 0x20, 0, 0, 0, .. new byte[8], .. U16(0x20C0)]);
        var sheetName = "BaoCao"u8.ToArray();
        var boundSheetAt = globals.Position;
        Record(globals, 0x0085, [.. U32(0), 0, 0, (byte)sheetName.Length, 0, .. sheetName]);
        var sst = new MemoryStream();
        sst.Write(U32((uint)references));
        sst.Write(U32((uint)strings.Count));
        foreach (var s in strings)
        {
            sst.Write(U16((ushort)s.Length));
            sst.WriteByte(0x01);                                                           // fHighByte: UTF-16LE characters
            sst.Write(Encoding.Unicode.GetBytes(s));
        }
        if (sst.Length > 8224) throw new ArgumentException("shared strings would need CONTINUE records, which this writer does not write");
        Record(globals, 0x00FC, sst.ToArray());
        Record(globals, 0x000A, []);

        using var sheet = new MemoryStream();
        Record(sheet, 0x0809, Bof(0x0010));
        var columns = rows.Count == 0 ? 0 : rows.Max(r => r.Count);
        Record(sheet, 0x0200, [.. U32(0), .. U32(claimedRows ?? (uint)rows.Count), .. U16(0), .. U16((ushort)columns), .. U16(0)]);
        Record(sheet, 0x023E, [.. U16(0x06B6), .. U16(0), .. U16(0), .. U32(0x40), .. U16(0), .. U16(0), .. U32(0)]);
        for (var r = 0; r < rows.Count; r++)
            for (var c = 0; c < rows[r].Count; c++)
            {
                byte[] at = [.. U16((ushort)r), .. U16((ushort)c), .. U16(15)];
                switch (rows[r][c])
                {
                    case null: break;
                    case string s: Record(sheet, 0x00FD, [.. at, .. U32((uint)index[s])]); break;
                    case var n: Record(sheet, 0x0203, [.. at, .. BitConverter.GetBytes(Convert.ToDouble(n, System.Globalization.CultureInfo.InvariantCulture))]); break;
                }
            }
        Record(sheet, 0x000A, []);

        var workbook = globals.ToArray();
        // BOUNDSHEET points at the sheet's BOF, which follows the globals.
        BinaryPrimitives.WriteUInt32LittleEndian(workbook.AsSpan((int)boundSheetAt + 4), (uint)workbook.Length);
        return [.. workbook, .. sheet.ToArray()];
    }

    private static byte[] Bof(ushort type) => [.. U16(0x0600), .. U16(type), .. U16(0x0DBB), .. U16(0x07CC), .. U32(0x000100C1), .. U32(0x00000006)];

    private static void Record(Stream stream, ushort id, byte[] data)
    {
        stream.Write(U16(id));
        stream.Write(U16((ushort)data.Length));
        stream.Write(data);
    }

    private static byte[] U16(ushort value) => BitConverter.GetBytes(value);

    private static byte[] U32(uint value) => BitConverter.GetBytes(value);
}
