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
    public void More_than_256_colours_or_a_transparent_pixel_is_left_to_the_RGBA_encoder()
    {
        var gradient = new byte[300 * 4];
        for (var i = 0; i < 300; i++) gradient.AsSpan(i * 4, 4).SetTo(i, 255);
        Assert.Null(PalettePng.TryEncode(gradient, 300, 1, 300 * 4));

        byte[] seeThrough = [255, 255, 255, 255, 0, 0, 0, 0];
        Assert.Null(PalettePng.TryEncode(seeThrough, 2, 1, 8));
    }
}

file static class Pixels
{
    /// <summary>A distinct opaque colour per <paramref name="i"/> (0–299).</summary>
    public static void SetTo(this Span<byte> pixel, int i, byte alpha)
    {
        pixel[0] = (byte)(i % 256);
        pixel[1] = (byte)(i / 256);
        pixel[2] = 7;
        pixel[3] = alpha;
    }
}
