using MimeKit;

namespace NongThonMoi.Bulletins;

/// <summary>
/// One committee's bulletin in every form it leaves the system: HTML with inline charts, plain text, the
/// <c>.xlsx</c> of its tables. Rendered once per committee and run, shared by all its members' messages
/// (and by <c>bulletin preview</c>, so what is reviewed is what is sent).
/// </summary>
public sealed record RenderedBulletin(BulletinContent Content, string Html, string Text, IReadOnlyList<BulletinChart> Charts, byte[] Workbook, string WorkbookName)
{
    public static RenderedBulletin Of(BulletinContent content, string period, string committeeId)
    {
        var charts = BulletinCharts.Render(content);
        return new RenderedBulletin(content, BulletinHtml.Render(content, charts.Select(c => c.Id).ToList()), BulletinText.Render(content),
            charts, BulletinWorkbook.Render(content), $"ban-tin-ntm-{period}-{committeeId}.xlsx");
    }

    /// <summary>multipart/mixed: (text | related(HTML, PNGs by Content-ID)) and the workbook.</summary>
    public MimeEntity ToMimeBody()
    {
        var body = new BodyBuilder { TextBody = Text, HtmlBody = Html };
        foreach (var chart in Charts)
        {
            var image = body.LinkedResources.Add($"{chart.Id}.png", chart.Png, new ContentType("image", "png"));
            image.ContentId = $"{chart.Id}@nongthonmoi";
        }
        body.Attachments.Add(WorkbookName, Workbook, ContentType.Parse(Infrastructure.Spreadsheet.ContentType));
        return body.ToMessageBody();
    }
}
