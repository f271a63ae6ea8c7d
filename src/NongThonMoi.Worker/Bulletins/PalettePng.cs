using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace NongThonMoi.Bulletins;

/// <summary>
/// A PNG with a palette (colour type 3, one byte per pixel). A chart is flat fills and text anti-aliased against them: a few
/// colours cover nearly every pixel, and the anti-aliased edges add hundreds of shades of a few pixels each. Every chart goes
/// out in every message of a bulletin run (2,103 nationally), and the RGBA PNG that SkiaSharp writes is about three times
/// larger: measured on the Lạng Sơn units chart (600×1402) 107 → 34 KB at the same zlib level, the criteria chart 14 → 5.5 KB
/// (BENCHMARKS.md). A picture of more than 256 colours keeps its 256 most frequent exactly and draws each rarer shade with the
/// nearest of them — an edge pixel a shade off, which nobody reading a chart can see. SkiaSharp cannot write a palette PNG,
/// so this does; the format is small (IHDR, PLTE, IDAT, IEND, each with its CRC-32).
/// </summary>
public static class PalettePng
{
    private const int MaxPooledRows = 1 << 20;

    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// The PNG of an opaque RGBA picture (4 bytes per pixel, R G B A, <paramref name="rowBytes"/> apart), or null when a pixel
    /// is not opaque: then the caller encodes it as it is.
    /// </summary>
    public static byte[]? TryEncode(ReadOnlySpan<byte> rgba, int width, int height, int rowBytes)
    {
        var counts = new Dictionary<uint, int>();
        Count(counts, rgba, width, height, rowBytes);
        if (Palette(counts) is not var (colours, index)) return null;
        var png = Begin(width, height, colours, out var dataStart);
        // A chart's rows (180 KB for 600×300) would be a large-object-heap array per chart, three per bulletin, and the
        // large-object heap is collected only with gen 2: borrowed from the pool instead. A taller picture's is allocated as
        // before, so the pool does not keep an array that size for good (a tall chart comes in strips: the overload below).
        var size = (width + 1) * height;
        var rows = size <= MaxPooledRows ? ArrayPool<byte>.Shared.Rent(size) : new byte[size];
        try
        {
            using (var zlib = Idat(png))
                zlib.Write(rows, 0, Index(rgba, width, height, rowBytes, colours, index, rows));
        }
        finally
        {
            if (size <= MaxPooledRows) ArrayPool<byte>.Shared.Return(rows);
        }
        return End(png, dataStart);
    }

    /// <summary>
    /// Rows <paramref name="top"/> to <paramref name="top"/> + <paramref name="count"/> − 1 of a picture, drawn on demand:
    /// RGBA as for <see cref="TryEncode(ReadOnlySpan{byte}, int, int, int)"/>, row 0 of the span being row
    /// <paramref name="top"/>. The span is read before the next call.
    /// </summary>
    public delegate ReadOnlySpan<byte> Strip(int top, int count);

    /// <summary>
    /// The PNG of a picture drawn <paramref name="stripRows"/> rows at a time, so that the whole of it never needs to be in
    /// memory: each strip is asked for twice, once to count its colours and once, after the palette is chosen, to index and
    /// compress it, and must come back the same both times (a colour that did not is drawn with the nearest in the palette).
    /// The same palette and indices as the picture given whole; the compressed bytes may differ by a few (zlib's output
    /// depends on how its input was cut).
    /// </summary>
    public static byte[]? TryEncode(int width, int height, int rowBytes, int stripRows, Strip strip)
    {
        var counts = new Dictionary<uint, int>();
        for (var top = 0; top < height; top += stripRows)
        {
            var count = Math.Min(stripRows, height - top);
            Count(counts, strip(top, count), width, count, rowBytes);
        }
        if (Palette(counts) is not var (colours, index)) return null;
        var png = Begin(width, height, colours, out var dataStart);
        var rows = ArrayPool<byte>.Shared.Rent((width + 1) * Math.Min(stripRows, height));
        try
        {
            using (var zlib = Idat(png))
                for (var top = 0; top < height; top += stripRows)
                {
                    var count = Math.Min(stripRows, height - top);
                    zlib.Write(rows, 0, Index(strip(top, count), width, count, rowBytes, colours, index, rows));
                }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rows);
        }
        return End(png, dataStart);
    }

    /// <summary>
    /// Each row as a filter byte (0: none — indices compress well as they are) and one index per pixel, into
    /// <paramref name="rows"/>; the bytes written.
    /// </summary>
    private static int Index(ReadOnlySpan<byte> rgba, int width, int height, int rowBytes, uint[] colours, Dictionary<uint, byte> index, byte[] rows)
    {
        uint last = 0;
        byte lastIndex = 0; // every opaque pixel differs from 0, so the first is looked up
        for (var y = 0; y < height; y++)
        {
            var line = rgba.Slice(y * rowBytes, width * 4);
            var o = y * (width + 1);
            rows[o] = 0;
            o++;
            for (var x = 0; x < width; x++)
            {
                var pixel = BinaryPrimitives.ReadUInt32LittleEndian(line.Slice(x * 4, 4));
                // Runs of one colour are most of a chart: the last pixel's index answers without a look-up.
                if (pixel != last)
                {
                    // Not counted: a strip drawn differently the second time (never seen; nearest rather than no bulletin).
                    if (!index.TryGetValue(pixel, out lastIndex)) lastIndex = Nearest(colours, pixel);
                    last = pixel;
                }
                rows[o + x] = lastIndex;
            }
        }
        return (width + 1) * height;
    }

    private static uint Pixel(ReadOnlySpan<byte> rgba, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(rgba.Slice(offset, 4));

    /// <summary>Adds the pixels of <paramref name="height"/> rows to each colour's count, row after row.</summary>
    private static void Count(Dictionary<uint, int> counts, ReadOnlySpan<byte> rgba, int width, int height, int rowBytes)
    {
        for (var y = 0; y < height; y++)
        {
            var line = rgba.Slice(y * rowBytes, width * 4);
            uint last = Pixel(line, 0);
            var run = 0;
            for (var x = 0; x < width; x++)
            {
                var pixel = BinaryPrimitives.ReadUInt32LittleEndian(line.Slice(x * 4, 4));
                if (pixel == last)
                {
                    run++;
                    continue;
                }
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, last, out _) += run;
                last = pixel;
                run = 1;
            }
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, last, out _) += run;
        }
    }

    /// <summary>The palette (at most 256 colours) and each colour's index in it; null for a picture that is not opaque.</summary>
    private static (uint[] Colours, Dictionary<uint, byte> Index)? Palette(Dictionary<uint, int> counts)
    {
        if (counts.Keys.Any(c => c >> 24 != 0xFF)) return null;

        var colours = counts.Count <= 256
            ? counts.Keys.ToArray()
            : counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key).Take(256).Select(c => c.Key).ToArray();
        var index = new Dictionary<uint, byte>(counts.Count);
        for (var i = 0; i < colours.Length; i++) index[colours[i]] = (byte)i;
        foreach (var colour in counts.Keys)
            if (!index.ContainsKey(colour)) index[colour] = Nearest(colours, colour);
        return (colours, index);
    }

    private static byte Nearest(uint[] colours, uint colour)
    {
        var best = 0;
        var bestDistance = int.MaxValue;
        for (var i = 0; i < colours.Length; i++)
        {
            int dr = (byte)colour - (byte)colours[i], dg = (byte)(colour >> 8) - (byte)(colours[i] >> 8), db = (byte)(colour >> 16) - (byte)(colours[i] >> 16);
            var distance = dr * dr + dg * dg + db * db;
            if (distance < bestDistance) (best, bestDistance) = (i, distance);
        }
        return (byte)best;
    }

    /// <summary>The signature, IHDR and PLTE; the IDAT follows (<see cref="Idat"/>), then <see cref="End"/>.</summary>
    private static MemoryStream Begin(int width, int height, uint[] colours, out int dataStart)
    {
        var png = new MemoryStream(Math.Min((width + 1) * height / 8, 1 << 16) + 1024); // grows as needed: a tall chart compresses well
        png.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;  // bits per index
        header[9] = 3;  // colour type: palette
        header[10] = 0; // deflate
        header[11] = 0; // adaptive filtering (each row says its filter)
        header[12] = 0; // not interlaced
        Chunk(png, "IHDR", header);
        var plte = new byte[colours.Length * 3];
        for (var i = 0; i < colours.Length; i++)
        {
            plte[i * 3] = (byte)colours[i];
            plte[i * 3 + 1] = (byte)(colours[i] >> 8);
            plte[i * 3 + 2] = (byte)(colours[i] >> 16);
        }
        Chunk(png, "PLTE", plte);
        // The IDAT's length and type; the length is filled in by End, once the compressed rows are written after them.
        png.Write([0, 0, 0, 0, (byte)'I', (byte)'D', (byte)'A', (byte)'T']);
        dataStart = (int)png.Length;
        return png;
    }

    /// <summary>The zlib stream of the rows, written straight into the IDAT chunk (no copy of the compressed data).</summary>
    private static ZLibStream Idat(MemoryStream png) => new(png, CompressionLevel.Optimal, leaveOpen: true);

    /// <summary>Closes the IDAT (its length and CRC), adds IEND; the PNG.</summary>
    private static byte[] End(MemoryStream png, int dataStart)
    {
        var buffer = png.GetBuffer();
        var data = (int)png.Length - dataStart;
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(dataStart - 8, 4), data);
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Update(0xFFFFFFFFu, buffer.AsSpan(dataStart - 4, 4 + data)) ^ 0xFFFFFFFFu);
        png.Write(word);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        Span<byte> name = stackalloc byte[4];
        Encoding.ASCII.GetBytes(type, name);
        png.Write(name);
        png.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Update(Crc32.Update(0xFFFFFFFFu, name), data) ^ 0xFFFFFFFFu);
        png.Write(word);
    }

    /// <summary>The CRC-32 of PNG chunks (ISO 3309, polynomial 0xEDB88320), table-driven.</summary>
    private static class Crc32
    {
        private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
        {
            var c = (uint)n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            return c;
        }).ToArray();

        public static uint Update(uint crc, ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            return crc;
        }
    }
}
