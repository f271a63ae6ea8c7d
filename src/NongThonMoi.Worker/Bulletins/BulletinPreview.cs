using System.Text;
using Microsoft.Extensions.Options;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure.Web;
using NongThonMoi.Reference;
using NongThonMoi.Reporting;

namespace NongThonMoi.Bulletins;

/// <summary><c>bulletin preview</c>: each committee's bulletin written to a folder for review; nothing is sent.</summary>
public sealed class BulletinPreview(SnapshotRepository snapshots, RecomputeJob recompute, ReferenceStore reference,
    ReportingCalendar calendar, IOptions<WebOptions> web)
{
    public async Task<List<string>> WriteAsync(string? period, string? committeeId, string directory, CancellationToken ct)
    {
        var data = await reference.LoadAsync(ct);
        var committees = data.Committees.Where(c => committeeId is null || c.Id == committeeId).ToList();
        if (committees.Count == 0) throw new ArgumentException(committeeId is null ? "committees.json lists no committee" : $"--committee {committeeId}: no such committee");
        var stored = await snapshots.FindAsync(period, ct);
        if (stored is null)
        {
            var target = period is null ? calendar.Current : ReportingPeriod.Parse(period);
            await recompute.ComputeAsync(target, false, ct);
            stored = await snapshots.FindAsync(target.Id, ct) ?? throw new InvalidOperationException($"no snapshot for {target.Id}");
        }
        var snapshot = stored.Snapshot;
        var communes = stored.CommuneFigures;
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        foreach (var committee in committees)
        {
            var content = BulletinContentBuilder.Build(snapshot, communes, committee, ReportingPeriod.Parse(stored.Period),
                calendar.ToLocal(snapshot.ComputedAt), data.DataElements, false, web.Value.PublicUrl);
            var html = Path.Combine(directory, $"{committee.Id}.html");
            var text = Path.Combine(directory, $"{committee.Id}.txt");
            await File.WriteAllTextAsync(html, BulletinHtml.Render(content, []), Encoding.UTF8, ct);
            await File.WriteAllTextAsync(text, $"Subject: {content.Subject}\n\n{BulletinText.Render(content)}", Encoding.UTF8, ct);
            written.Add(html);
            written.Add(text);
        }
        return written;
    }
}
