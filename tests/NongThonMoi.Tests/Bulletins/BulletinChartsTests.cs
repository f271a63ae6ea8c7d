using NongThonMoi.Bulletins;
using SkiaSharp;

namespace NongThonMoi.Tests.Bulletins;

/// <summary>
/// A chart taller than a strip is drawn in strips, for memory (<see cref="BulletinCharts.InStrips"/>): the picture drawn
/// whole but for a few anti-aliased pixels. A chart of one strip is drawn whole, the same PNG byte for byte.
/// </summary>
public sealed class BulletinChartsTests
{
    [Fact]
    public void A_national_chartchart_drawn_in_strips_is_the_picture_drawn_whole_but_for_a_few_anti_aliased_pixels()
    {
        var (plot, height) = BulletinCharts.Units(Content(units: 700)); // the national bulletin: 600 × 15,460 pixels
        Assert.True(height > 10 * BulletinCharts.StripRows && height % BulletinCharts.StripRows != 0, "many strips, the last one short");

        var whole = BulletinCharts.Whole(plot, height);
        var strips = BulletinCharts.InStrips(plot, height, BulletinCharts.StripRows);

        Assert.NotNull(strips); // opaque: every row of every strip drawn
        using var expected = SKBitmap.Decode(whole);
        using var actual = SKBitmap.Decode(strips);
        Assert.Equal((600, height), (expected.Width, expected.Height));
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        var (differing, worst, at) = (0, 0, "");
        for (var y = 0; y < expected.Height; y++)
            for (var x = 0; x < expected.Width; x++)
            {
                SKColor e = expected.GetPixel(x, y), a = actual.GetPixel(x, y);
                if (e == a) continue;
                differing++;
                var apart = Math.Max(Math.Abs(e.Red - a.Red), Math.Max(Math.Abs(e.Green - a.Green), Math.Abs(e.Blue - a.Blue)));
                if (apart > worst) (worst, at) = (apart, $"({x}, {y}): {e} drawn whole, {a} in strips");
            }
        var pixels = expected.Width * expected.Height;
        var found = $"{differing} of {pixels} pixels differ, the most at {at}";
        Assert.True(differing <= pixels / 10_000, found); // at most 0.01 % (128 when written)
        Assert.True(worst <= 16, found); // a few shades of an anti-aliased edge (8 when written), not another colour
    }

    [Theory]
    [InlineData(1)]
    [InlineData(11)] // a province's bulletin: 11 districts, 302 rows
    [InlineData(42)] // the tallest chart of one strip: 60 + 22 × 42 = 984 rows
    public void A_chart_of_one_strip_is_the_same_PNG_as_drawn_whole(int units)
    {
        var content = Content(units);
        var (plot, height) = BulletinCharts.Units(content);
        Assert.True(height <= BulletinCharts.StripRows);

        var chart = BulletinCharts.Render(content).Single(c => c.Id == "chart-units");

        Assert.Equal(BulletinCharts.Whole(plot, height), chart.Png);
    }

    /// <summary>A province-level bulletin of <paramref name="units"/> units: some without data, the rest 0–29 standard communes.</summary>
    private static BulletinContent Content(int units)
    {
        var random = new Random(units);
        var rows = Enumerable.Range(0, units).Select(i =>
        {
            var standard = random.Next(0, 30);
            decimal? average = i % 17 == 5 ? null : Math.Round((decimal)random.NextDouble() * 19, 2);
            return new BulletinRow($"{i:D3}", i % 3 == 0 ? $"Huyện Đồng Văn {i}" : $"Thành phố Lạng Sơn {i}", 30, standard,
                standard / 5, average, "Đã báo cáo", null, Behind: false);
        }).ToList();
        return new BulletinContent("Bản tin", "Toàn quốc", "Tháng 11/2025", "02/12/2025 08:00", "700/700 đơn vị", false,
            "1", "", "2", "", "3", "", "4", "", [("Dưới 10", 1)], [], BulletinTable.Units, rows, [], [], false, null,
            [], [], []);
    }
}
