using NongThonMoi.Bulletins;
using SkiaSharp;

namespace NongThonMoi.Tests.Bulletins;

/// <summary>The charts' palette PNG: decoded by another PNG reader (SkiaSharp's), every pixel comes back as drawn.</summary>
public sealed class PalettePngTests
{
    [Fact]
    public void A_picture_of_few_colours_comes_back_pixel_for_pixel_and_smaller_than_RGBA()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(97, 53, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var green = new SKPaint { Color = new SKColor(0x2e, 0x7d, 0x32), IsAntialias = true };
            canvas.DrawCircle(30, 25, 20, green); // anti-aliased edge: many shades, still under 256
            using var red = new SKPaint { Color = new SKColor(0xc6, 0x28, 0x28) };
            canvas.DrawRect(60, 5, 30, 40, red);
        }
        using var pixmap = bitmap.PeekPixels();

        var png = PalettePng.TryEncode(pixmap.GetPixelSpan(), bitmap.Width, bitmap.Height, pixmap.RowBytes);

        Assert.NotNull(png);
        Assert.Equal(3, png[8 + 8 + 9]); // IHDR colour type: palette
        using var decoded = SKBitmap.Decode(png);
        Assert.Equal((bitmap.Width, bitmap.Height), (decoded.Width, decoded.Height));
        for (var y = 0; y < bitmap.Height; y++)
            for (var x = 0; x < bitmap.Width; x++)
                Assert.Equal(bitmap.GetPixel(x, y), decoded.GetPixel(x, y));
        using var rgba = pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.Sub, 1))!;
        Assert.True(png.Length < rgba.Size, $"palette {png.Length} B, RGBA {rgba.Size} B");
    }

    [Fact]
    public void More_than_256_colours_keep_the_256_most_frequent_exactly_and_draw_the_rest_with_the_nearest()
    {
        // Row 0: 300 shades of red, one pixel each; rows 1–3: white, green and black, far more frequent.
        const int width = 300;
        var rgba = new byte[width * 4 * 4];
        for (var x = 0; x < width; x++)
        {
            rgba.AsSpan(x * 4, 4).SetTo((byte)(x * 255 / (width - 1)), 0, 0);
            rgba.AsSpan((width + x) * 4, 4).SetTo(255, 255, 255);
            rgba.AsSpan((2 * width + x) * 4, 4).SetTo(0x2e, 0x7d, 0x32);
            rgba.AsSpan((3 * width + x) * 4, 4).SetTo(0, 0, 0);
        }

        var png = PalettePng.TryEncode(rgba, width, 4, width * 4);

        Assert.NotNull(png);
        Assert.Equal(3, png[8 + 8 + 9]); // a palette, although the picture has more than 256 colours
        using var decoded = SKBitmap.Decode(png);
        for (var x = 0; x < width; x++)
        {
            Assert.Equal(new SKColor(255, 255, 255), decoded.GetPixel(x, 1)); // the frequent colours exactly
            Assert.Equal(new SKColor(0x2e, 0x7d, 0x32), decoded.GetPixel(x, 2));
            var red = rgba[x * 4];
            var shade = decoded.GetPixel(x, 0);
            Assert.True(Math.Abs(shade.Red - red) <= 2 && shade.Green == 0 && shade.Blue == 0, $"pixel {x}: {red} drawn as {shade}");
        }
    }

    [Theory]
    [InlineData(53)] // one strip
    [InlineData(10)] // five, the last three rows
    [InlineData(1)]  // a row at a time
    public void A_picture_given_in_strips_comes_back_as_the_picture_given_whole(int stripRows)
    {
        // 400 colours, so that the palette is chosen by frequency, in rows 1,608 bytes apart (more than 4 × 397).
        const int width = 397, height = 53, rowBytes = 1608;
        var rgba = new byte[rowBytes * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                rgba.AsSpan(y * rowBytes + x * 4, 4).SetTo((byte)(x * y % 20 * 12), (byte)(y % 20 * 12), (byte)(x / 100 * 60));
        var asked = new List<(int, int)>();

        var png = PalettePng.TryEncode(width, height, rowBytes, stripRows, (top, count) =>
        {
            asked.Add((top, count));
            return rgba.AsSpan(top * rowBytes, count * rowBytes);
        });

        Assert.NotNull(png);
        using var expected = SKBitmap.Decode(PalettePng.TryEncode(rgba, width, height, rowBytes));
        using var actual = SKBitmap.Decode(png); // not the same bytes: zlib's output depends on how its input was cut
        Assert.Equal((width, height), (actual.Width, actual.Height));
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                Assert.Equal(expected.GetPixel(x, y), actual.GetPixel(x, y));
        var strips = Enumerable.Range(0, (height + stripRows - 1) / stripRows)
            .Select(i => (i * stripRows, Math.Min(stripRows, height - i * stripRows))).ToList();
        Assert.Equal(strips.Concat(strips), asked); // every strip twice: to count its colours, then to index it
    }

    [Fact]
    public void A_transparent_pixel_is_left_to_the_RGBA_encoder()
    {
        byte[] seeThrough = [255, 255, 255, 255, 0, 0, 0, 0];
        Assert.Null(PalettePng.TryEncode(seeThrough, 2, 1, 8));
    }
}

file static class Pixels
{
    public static void SetTo(this Span<byte> pixel, byte red, byte green, byte blue)
    {
        pixel[0] = red;
        pixel[1] = green;
        pixel[2] = blue;
        pixel[3] = 255;
    }
}
