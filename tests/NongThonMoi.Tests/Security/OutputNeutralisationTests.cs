using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using MiniExcelLibs;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Security;

/// <summary>
/// Issue 7 item 6: spreadsheets the system hands out keep names as text. Commune names come from <c>units.csv</c>, a
/// file people edit; one that starts with <c>=</c> would run as a formula (<c>=cmd|…</c>, <c>=HYPERLINK</c>) in the
/// district's Excel when it opens the submission template. (Bulletins: <c>Bulletins/BulletinMessageTests</c>.)
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class OutputNeutralisationTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private const string HostileName = "=cmd|' /C calc'!A0 <b>Xã</b>";

    [Fact]
    public async Task Submission_templates_write_a_formula_looking_commune_name_as_text()
    {
        using var reference = new TestReference(TestReference.SmallProvince.Replace("90103,Xã Một Ba,", $"90103,\"{HostileName}\","));
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory,
            new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)));
        var admin = app.Admin();

        var csv = await admin.GetAsync("/api/templates/submission.csv?unit=901");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var text = Encoding.UTF8.GetString(await csv.Content.ReadAsByteArrayAsync());
        var line = Assert.Single(text.Split("\r\n"), l => l.StartsWith("90103,", StringComparison.Ordinal));
        // The apostrophe is the spreadsheet convention for "text"; quoted because the name holds a quote of its own.
        Assert.StartsWith("90103,'=cmd", line);

        var xlsx = await admin.GetAsync("/api/templates/submission.xlsx?unit=901");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        using var stream = new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync());
        var names = MiniExcel.Query(stream, useHeaderRow: true, sheetName: "BaoCao", excelType: ExcelType.XLSX)
            .Cast<IDictionary<string, object?>>().Select(r => r["commune_name"]?.ToString()).ToList();
        Assert.Contains("'" + HostileName, names);
        Assert.DoesNotContain(names, n => n is not null && n.StartsWith('='));
    }
}
