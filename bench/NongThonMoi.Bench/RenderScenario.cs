using System.Diagnostics;
using Microsoft.Extensions.Options;
using NongThonMoi.Bulletins;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure.Web;
using NongThonMoi.Programme;

namespace NongThonMoi.Bench;

/// <summary>Every committee's bulletin (HTML, text, three charts, .xlsx) from the stored national snapshot, one after another.</summary>
public static class RenderScenario
{
    public sealed record Outcome(int Bulletins, double MedianMs, double P95Ms, double ContentMs, double ChartsMs, double HtmlTextMs, double WorkbookMs, long BytesPerBulletin);

    public static async Task<Outcome> RunAsync(BenchHost host, ReportingPeriod period)
    {
        var data = await host.Get<ReferenceStore>().LoadAsync(CancellationToken.None);
        var stored = await host.Get<SnapshotRepository>().FindAsync(period.Id, CancellationToken.None) ?? throw new InvalidOperationException("no snapshot");
        var history = await host.Get<SnapshotRepository>().HistoryAsync(period.Id, BulletinContentBuilder.TrendPeriods, CancellationToken.None);
        var changed = await host.Get<Corrections>().SinceLastBulletinAsync(period.Id, CancellationToken.None);
        var calendar = host.Get<ReportingCalendar>();
        var publicUrl = host.Get<IOptions<WebOptions>>().Value.PublicUrl;
        var snapshot = stored.Snapshot;
        var communes = await host.Get<SnapshotRepository>().CommunesAsync(stored, CancellationToken.None);
        var computed = calendar.ToLocal(snapshot.ComputedAt);

        RenderedBulletin One(Committee c) => RenderedBulletin.Of(
            BulletinContentBuilder.Build(snapshot, communes, c, period, computed, data.DataElements, false, publicUrl, history, changed), period.Id, c.Id);

        foreach (var c in data.Committees.Take(3)) One(c); // warm-up: JIT, fonts

        var times = new List<double>(data.Committees.Count);
        long bytes = 0;
        foreach (var committee in data.Committees)
        {
            var start = Stopwatch.GetTimestamp();
            var r = One(committee);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            bytes += r.Html.Length + r.Text.Length + r.Workbook.Length + r.Charts.Sum(x => x.Png.Length);
        }

        // Where the time goes, on a sample of district committees: content, charts, HTML + text, workbook.
        List<double> content = [], charts = [], html = [], xlsx = [];
        foreach (var committee in data.Committees.Skip(1).Take(30))
        {
            var t = Stopwatch.GetTimestamp();
            var c = BulletinContentBuilder.Build(snapshot, communes, committee, period, computed, data.DataElements, false, publicUrl, history, changed);
            content.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            t = Stopwatch.GetTimestamp();
            var ch = BulletinCharts.Render(c);
            charts.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            t = Stopwatch.GetTimestamp();
            _ = BulletinHtml.Render(c, ch.Select(x => x.Id).ToList());
            _ = BulletinText.Render(c);
            html.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            t = Stopwatch.GetTimestamp();
            _ = BulletinWorkbook.Render(c);
            xlsx.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        return new Outcome(times.Count, RecomputeScenario.Median(times), IngestScenario.Percentile(times, 0.95),
            RecomputeScenario.Median(content), RecomputeScenario.Median(charts), RecomputeScenario.Median(html), RecomputeScenario.Median(xlsx),
            bytes / Math.Max(1, times.Count));
    }
}
