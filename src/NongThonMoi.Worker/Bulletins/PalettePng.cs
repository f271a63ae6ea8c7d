using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace NongThonMoi.Bulletins;

/// <summary>
/// A PNG with a palette (colour type 3, one byte per pixel) for a picture of at most 256 colours, which a chart is: flat
/// fills, and text anti-aliased against them. Every chart goes out in every message of a bulletin run (2,103 nationally),
/// and the RGBA PNG that SkiaSharp writes is about three times larger: measured on the Lạng Sơn units chart (600×1402) 107
/// → 34 KB at the same zlib level, and the criteria chart 14 → 5.5 KB (BENCHMARKS.md). SkiaSharp cannot write a palette
/// PNG, so this does; the format is small (IHDR, PLTE, IDAT, IEND, each with its CRC-32).
/// </summary>
public static class PalettePng
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// The PNG of an opaque RGBA picture (4 bytes per pixel, R G B A, <paramref name="rowBytes"/> apart), or null when it
    /// has more than 256 colours or a pixel that is not opaque: then the caller encodes it as it is.
    /// </summary>
    public static byte[]? TryEncode(ReadOnlySpan<byte> rgba, int width, int height, int rowBytes)
    {
        var palette = new Dictionary<uint, byte>(256);
        var colours = new List<uint>(256);
        // Each row is a filter byte (0: none — indices compress well as they are) and one index per pixel.
        var rows = new byte[(width + 1) * height];
        uint last = 0;
        byte lastIndex = 0;
        var any = false;
        for (var y = 0; y < height; y++)
        {
            var line = rgba.Slice(y * rowBytes, width * 4);
            var o = y * (width + 1) + 1;
            for (var x = 0; x < width; x++)
            {
                var pixel = BinaryPrimitives.ReadUInt32LittleEndian(line.Slice(x * 4, 4));
                // Runs of one colour are most of a chart: the last pixel's index answers without a look-up.
                if (!any || pixel != last)
                {
                    if (pixel >> 24 != 0xFF) return null;
                    if (!palette.TryGetValue(pixel, out lastIndex))
                    {
                        if (colours.Count == 256) return null;
                        lastIndex = (byte)colours.Count;
                        palette.Add(pixel, lastIndex);
                        colours.Add(pixel);
                    }
                    last = pixel;
                    any = true;
                }
                rows[o + x] = lastIndex;
            }
        }

        using var png = new MemoryStream(rows.Length / 3 + 1024);
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
        var plte = new byte[colours.Count * 3];
        for (var i = 0; i < colours.Count; i++)
        {
            plte[i * 3] = (byte)colours[i];
            plte[i * 3 + 1] = (byte)(colours[i] >> 8);
            plte[i * 3 + 2] = (byte)(colours[i] >> 16);
        }
        Chunk(png, "PLTE", plte);
        using (var compressed = new MemoryStream(rows.Length / 4 + 64))
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(rows);
            Chunk(png, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        }
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
