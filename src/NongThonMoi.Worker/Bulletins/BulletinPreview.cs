using System.Text;
using Microsoft.Extensions.Options;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure.Web;
using NongThonMoi.Programme;

namespace NongThonMoi.Bulletins;

/// <summary><c>bulletin preview</c>: each committee's bulletin written to a folder for review; nothing is sent.</summary>
public sealed class BulletinPreview(Corrections corrections, RecomputeJob recompute, ReferenceStore reference,
    ReportingCalendar calendar, IOptions<WebOptions> web)
{
    public async Task<List<string>> WriteAsync(string? period, string? committeeId, string directory, CancellationToken ct)
    {
        var data = await reference.LoadAsync(ct);
        var committees = data.Committees.Where(c => committeeId is null || c.Id == committeeId).ToList();
        if (committees.Count == 0) throw new ArgumentException(committeeId is null ? "committees.json lists no committee" : $"--committee {committeeId}: no such committee");
        var stored = await recompute.LatestOrComputeAsync(period, ct);
        var snapshot = stored.Snapshot;
        var communes = await recompute.CommunesAsync(stored, ct);
        var history = await recompute.TrendAsync(stored, BulletinContentBuilder.TrendPeriods, ct);
        var changed = await corrections.SinceLastBulletinAsync(stored.Period, ct);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        foreach (var committee in committees)
        {
            var content = BulletinContentBuilder.Build(snapshot, communes, committee, ReportingPeriod.Parse(stored.Period),
                calendar.ToLocal(snapshot.ComputedAt), data.DataElements, false, web.Value.PublicUrl, history, changed);
            var r = RenderedBulletin.Of(content, stored.Period, committee.Id);
            var stem = Path.Combine(directory, committee.Id);
            // The HTML refers to its charts by cid:, as in the mail; the preview points those at the PNG files beside it.
            var html = r.Charts.Aggregate(r.Html, (h, c) => h.Replace($"cid:{c.Id}@nongthonmoi", $"{committee.Id}-{c.Id}.png", StringComparison.Ordinal));
            await File.WriteAllTextAsync(stem + ".html", html, Encoding.UTF8, ct);
            await File.WriteAllTextAsync(stem + ".txt", $"Subject: {content.Subject}\n\n{r.Text}", Encoding.UTF8, ct);
            written.Add(stem + ".html");
            written.Add(stem + ".txt");
            foreach (var chart in r.Charts)
            {
                var png = $"{stem}-{chart.Id}.png";
                await File.WriteAllBytesAsync(png, chart.Png, ct);
                written.Add(png);
            }
            var xlsx = Path.Combine(directory, r.WorkbookName);
            await File.WriteAllBytesAsync(xlsx, r.Workbook, ct);
            written.Add(xlsx);
        }
        return written;
    }
}
