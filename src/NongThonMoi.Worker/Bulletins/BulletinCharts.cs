using NongThonMoi.Programme;
using ScottPlot;
using SkiaSharp;

namespace NongThonMoi.Bulletins;

/// <summary>A chart of the bulletin: its Content-ID stem (the HTML refers to <c>cid:{Id}@nongthonmoi</c>) and the PNG.</summary>
public sealed record BulletinChart(string Id, byte[] Png);

/// <summary>
/// The three charts of a bulletin (ScottPlot, PNG, 600×300 — the width of the mail body). Drawn from the same
/// <see cref="BulletinContent"/> as the tables, so a chart never disagrees with the figures beside it.
/// </summary>
public static class BulletinCharts
{
    private const int Width = 600, Height = 300;
    private static readonly Color Green = Color.FromHex("#2e7d32");
    private static readonly Color Red = Color.FromHex("#c62828");

    // DejaVu covers every Vietnamese letter; ScottPlot's default font may not be installed on a server.
    private const string FontName = "DejaVu Sans";

    /// <summary>
    /// The most rows of a chart drawn at once; a taller chart is drawn in strips of this many (<see cref="Png"/>). 1,024 rows
    /// are a 2.4 MB picture.
    /// </summary>
    internal const int StripRows = 1024;

    public static IReadOnlyList<BulletinChart> Render(BulletinContent c)
    {
        var charts = new List<BulletinChart>();
        if (c.Rows.Count > 0)
        {
            var (plot, height) = Units(c);
            charts.Add(new("chart-units", Png(plot, height)));
        }
        if (c.Trend.Count >= 2) charts.Add(new("chart-trend", Trend(c.Trend)));
        if (c.Criteria.Count > 0) charts.Add(new("chart-criteria", Criteria(c.Criteria)));
        return charts;
    }

    /// <summary>
    /// Province: standard communes per unit; district: criteria met per commune. Horizontal bars, first row on
    /// top, so that twenty names stay readable; a unit without data is grey, a commune short of the standard amber.
    /// </summary>
    internal static (Plot Plot, int Height) Units(BulletinContent c)
    {
        var communes = c.Table == BulletinTable.Communes;
        var rows = c.Rows;
        var plot = NewPlot(communes ? "Số tiêu chí đạt theo xã" : "Số xã đạt chuẩn NTM theo đơn vị");
        var bars = plot.Add.Bars(rows.Select(r => communes ? (double)(r.AvgCriteria ?? 0) : r.Standard).ToArray());
        bars.Horizontal = true;
        for (var i = 0; i < rows.Count; i++)
        {
            var bar = bars.Bars[i];
            bar.Position = rows.Count - 1 - i;
            bar.FillColor = rows[i].AvgCriteria is null ? Color.FromHex("#9e9e9e") : communes && rows[i].Behind ? Color.FromHex("#e0a84a") : Green;
            bar.Label = communes ? Vn.Dec(rows[i].AvgCriteria, 0) : Vn.Int(rows[i].Standard);
        }
        bars.ValueLabelStyle.FontName = FontName;
        var names = rows.Select(r => Short(r.Name)).Reverse().ToArray();
        plot.Axes.Left.SetTicks(Enumerable.Range(0, names.Length).Select(i => (double)i).ToArray(), names);
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.Left.TickLabelStyle.FontName = FontName;
        plot.Axes.Bottom.TickLabelStyle.FontName = FontName;
        plot.Axes.Margins(left: 0, right: 0.12);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.HideGrid();
        return (plot, Math.Max(Height, 60 + 22 * rows.Count));
    }

    private static byte[] Trend(IReadOnlyList<TrendPoint> trend)
    {
        var plot = NewPlot("Bình quân tiêu chí/xã qua các kỳ");
        var xs = Enumerable.Range(0, trend.Count).Select(i => (double)i).ToArray();
        var line = plot.Add.Scatter(xs, trend.Select(p => (double)p.Value).ToArray());
        line.Color = Green;
        line.LineWidth = 2;
        line.MarkerSize = 6;
        CategoryTicks(plot, trend.Select(p => p.Label).ToArray(), rotate: trend.Count > 6);
        return Png(plot);
    }

    /// <summary>Share of communes meeting each criterion; the weakest in red, as in the table.</summary>
    private static byte[] Criteria(IReadOnlyList<CriterionLine> criteria)
    {
        var plot = NewPlot("Tỷ lệ xã đạt từng tiêu chí (%)");
        var bars = plot.Add.Bars(criteria.Select(k => (double)k.Pct).ToArray());
        for (var i = 0; i < bars.Bars.Count; i++) bars.Bars[i].FillColor = criteria[i].Weakest ? Red : Green;
        CategoryTicks(plot, criteria.Select(k => k.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(), rotate: false);
        plot.Axes.SetLimitsY(0, 105);
        plot.XLabel("Tiêu chí số");
        return Png(plot);
    }

    private static Plot NewPlot(string title)
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.Title(title, size: 14);
        plot.Axes.Title.Label.FontName = FontName;
        return plot;
    }

    private static void CategoryTicks(Plot plot, string[] labels, bool rotate)
    {
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, labels.Length).Select(i => (double)i).ToArray(), labels);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.TickLabelStyle.FontName = FontName;
        plot.Axes.Left.TickLabelStyle.FontName = FontName;
        if (rotate)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = 40;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        }
        plot.HideGrid();
    }

    /// <summary>"Huyện Văn Lãng" → "Văn Lãng": the tick label has room for the name, not its kind.</summary>
    private static string Short(string name)
    {
        foreach (var prefix in new[] { "Thành phố ", "Thị xã ", "Huyện ", "Xã ", "Thị trấn " })
            if (name.StartsWith(prefix, StringComparison.Ordinal)) return name[prefix.Length..];
        return name;
    }

    /// <summary>
    /// A palette PNG (<see cref="PalettePng"/>: a third of the size), or, for a chart of more than 256 colours, SkiaSharp's
    /// RGBA PNG at zlib level 1 with the Sub filter only. ScottPlot's GetImageBytes encodes at the default level with every
    /// filter tried, which cost most of a chart's time (BENCHMARKS.md).
    /// </summary>
    /// <remarks>
    /// A chart taller than <see cref="StripRows"/> is drawn in strips, for memory: the national bulletin's units chart
    /// (600 × 15,460 pixels) drawn whole was a 37 MB picture and 9 MB of palette indices at once, the worker's largest
    /// spike in the national benchmark's delivery (36–45 MB, BENCHMARKS.md finding 16). A chart of one strip or less is
    /// drawn whole, as before.
    /// </remarks>
    private static byte[] Png(Plot plot, int height = Height) =>
        height <= StripRows ? Whole(plot, height) : InStrips(plot, height, StripRows) ?? Whole(plot, height);

    /// <summary>
    /// The PNG of a chart drawn <paramref name="stripRows"/> rows at a time, or null when it is not opaque (a chart's
    /// background is: then SkiaSharp's RGBA PNG, which needs the whole picture). ScottPlot draws the chart once into a
    /// recording (an <see cref="SKPicture"/>: ~0.6 MB for 700 bars and their labels), played back on a picture of
    /// <paramref name="stripRows"/> rows shifted up by each strip's first row, twice a strip (<see cref="PalettePng"/> counts
    /// the colours, then indexes the rows). Not quite the pixels drawn whole: Skia anti-aliases a few bar edges far down a
    /// tall chart a few shades apart (the test's 700-unit chart: 128 of 9.3 M pixels, at most 8 of 255); accepted.
    /// </summary>
    internal static byte[]? InStrips(Plot plot, int height, int stripRows)
    {
        using var recorder = new SKPictureRecorder();
        plot.Render(recorder.BeginRecording(new SKRect(0, 0, Width, height)), Width, height);
        using var picture = recorder.EndRecording();
        using var strip = new SKBitmap(new SKImageInfo(Width, stripRows, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(strip);
        return PalettePng.TryEncode(Width, height, strip.RowBytes, stripRows, (top, _) =>
        {
            canvas.Clear(SKColors.Transparent); // as a new picture: what the chart does not cover stays transparent
            canvas.Save();
            canvas.Translate(0, -top);
            canvas.DrawPicture(picture);
            canvas.Restore();
            return strip.GetPixelSpan();
        });
    }

    /// <summary>The chart drawn on one picture of its size.</summary>
    internal static byte[] Whole(Plot plot, int height)
    {
        using var surface = SKSurface.Create(new SKImageInfo(Width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"cannot draw a {Width}×{height} chart");
        plot.Render(surface.Canvas, Width, height);
        using var image = surface.Snapshot();
        using var pixels = image.PeekPixels() ?? throw new InvalidOperationException("a chart without pixels");
        if (PalettePng.TryEncode(pixels.GetPixelSpan(), Width, height, pixels.RowBytes) is { } small) return small;
        using var png = pixels.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.Sub, 1)) ?? throw new InvalidOperationException("PNG encoding failed");
        return png.ToArray();
    }
}
