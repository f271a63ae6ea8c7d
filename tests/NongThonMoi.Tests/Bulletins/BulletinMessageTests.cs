using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using MiniExcelLibs;
using NongThonMoi.Bulletins;
using NongThonMoi.Infrastructure.Mail;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Bulletins;

/// <summary>What a committee member receives: the MIME structure, the charts, the workbook, and delivery under a bad relay.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class BulletinMessageTests(PostgresFixture postgres, SmtpFixture smtp)
{
    /// <summary>A commune whose name looks like a formula and carries markup: both must stay text.</summary>
    private const string HostileName = "=HYPERLINK(\"http://x\") <b>Xã</b> & <script>alert(1)</script>";

    private static TestReference Province(string tag) => new(
        TestReference.SmallProvince.Replace("90103,Xã Một Ba,", $"90103,\"{HostileName.Replace("\"", "\"\"")}\","),
        committees: new object[]
        {
            new { id = "bcd-tinh", name = "Ban Chỉ đạo tỉnh", scope = "province",
                  members = new[] { new { name = "Văn phòng tỉnh", email = $"tinh-{tag}@example.vn" } } },
            new { id = "bcd-901", name = "Ban Chỉ đạo huyện Một", scope = "901",
                  members = new[] { new { name = "Văn phòng huyện Một", email = $"mot-{tag}@example.vn" },
                                    new { name = "Phó văn phòng huyện Một", email = $"mot2-{tag}@example.vn" } } },
            new { id = "bcd-902", name = "Ban Chỉ đạo huyện Hai", scope = "902",
                  members = new[] { new { name = "Văn phòng huyện Hai", email = $"hai-{tag}@example.vn" } } },
        });

    private static Task<RunResult> SendAsync(TestApp app, string? period = null) =>
        app.InScopeAsync<BulletinJob, RunResult>(j => j.SendAsync(period, null, false, default));

    [Fact]
    public async Task A_bulletin_is_text_and_html_with_inline_charts_and_one_workbook_and_names_stay_text()
    {
        smtp.Reset();
        using var reference = Province("mime");
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)));
        Assert.Equal(HttpStatusCode.Created, (await app.Admin().PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901())).StatusCode);
        await SendAsync(app, "2026-W48");

        foreach (var address in new[] { "tinh-mime@example.vn", "mot-mime@example.vn" })
        {
            var message = Assert.Single(smtp.To(address));
            var mixed = Assert.IsType<Multipart>(message.Body);
            Assert.Equal("mixed", mixed.ContentType.MediaSubtype);
            var alternative = Assert.IsType<MultipartAlternative>(mixed[0]);
            Assert.Equal("plain", alternative.OfType<TextPart>().First().ContentType.MediaSubtype);
            var related = alternative.OfType<MultipartRelated>().Single();
            var html = ((TextPart)related[0]).Text;
            var images = related.OfType<MimePart>().Where(p => p.ContentType.MediaType == "image").ToList();
            Assert.NotEmpty(images);
            foreach (var image in images)
            {
                Assert.Equal("png", image.ContentType.MediaSubtype);
                Assert.Contains($"cid:{image.ContentId}", html);
                using var png = new MemoryStream();
                image.Content!.DecodeTo(png);
                Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png.ToArray()[..4]);
            }
            var attachment = Assert.Single(message.Attachments.OfType<MimePart>());
            Assert.Equal(NongThonMoi.Infrastructure.Spreadsheet.ContentType, attachment.ContentType.MimeType);
            Assert.EndsWith(".xlsx", attachment.FileName);
            Assert.DoesNotContain("<script>", html);
        }

        // The district's bulletin lists the hostile commune: encoded in the HTML, inert in the workbook.
        var district = smtp.To("mot-mime@example.vn")[0];
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", district.HtmlBody);
        Assert.Contains(HostileName, district.TextBody);
        using var xlsx = new MemoryStream();
        district.Attachments.OfType<MimePart>().Single().Content!.DecodeTo(xlsx);
        var sheets = MiniExcel.GetSheetNames(Rewind(xlsx));
        Assert.Equal(["Tổng hợp", "Xã", "Tiêu chí"], sheets);
        var communes = MiniExcel.Query(Rewind(xlsx), useHeaderRow: true, sheetName: "Xã").Cast<IDictionary<string, object?>>().ToList();
        var hostile = communes.Single(r => (string?)r["Mã xã"] == "90103");
        Assert.Equal("'" + HostileName, hostile["Xã"]);
        var first = communes.Single(r => (string?)r["Mã xã"] == "90101");
        Assert.Equal(10d, Convert.ToDouble(first["Số TC đạt"]));   // numbers stay numbers
        using (var zip = new ZipArchive(Rewind(xlsx), ZipArchiveMode.Read, leaveOpen: true))
            foreach (var sheet in zip.Entries.Where(e => e.FullName.StartsWith("xl/worksheets/")))
                Assert.DoesNotMatch(FormulaElement, new StreamReader(sheet.Open()).ReadToEnd());
    }

    /// <summary>A cell formula in any form a writer may use: <c>&lt;f&gt;</c>, <c>&lt;x:f&gt;</c>, <c>&lt;f t="shared" …&gt;</c>, <c>&lt;f/&gt;</c>.</summary>
    private const string FormulaElement = @"<(?:[A-Za-z][\w.-]*:)?f(?:\s[^>]*)?/?>";

    [Theory]
    [InlineData("<c r=\"A1\"><f>1+1</f></c>", true)]
    [InlineData("<x:c r=\"A1\"><x:f>SUM(B1:B3)</x:f></x:c>", true)]
    [InlineData("<x:c r=\"A2\"><x:f t=\"shared\" ref=\"A2:A9\" si=\"0\">B2*2</x:f></x:c>", true)]
    [InlineData("<c r=\"A3\"><f t=\"shared\" si=\"0\"/></c>", true)]
    [InlineData("<x:c r=\"A1\" t=\"inlineStr\"><x:is><x:t>=HYPERLINK()</x:t></x:is></x:c><x:cols/><font/><fill>", false)]
    public void The_formula_check_sees_every_form_of_formula_element(string xml, bool formula) =>
        Assert.Equal(formula, System.Text.RegularExpressions.Regex.IsMatch(xml, FormulaElement));

    private static MemoryStream Rewind(MemoryStream s)
    {
        s.Position = 0;
        return s;
    }

    [Fact]
    public async Task A_relay_that_answers_451_for_a_while_and_550_for_one_member_still_serves_everyone_else_once()
    {
        smtp.Reset();
        using var reference = Province("relay");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, clock);
        smtp.FailNext(2);
        smtp.Refuse("hai-relay@example.vn");

        // The backoff is waited on the fake clock, moved on by the test: no real seconds pass for it.
        var error = await Assert.ThrowsAsync<DeliveryFailuresException>(() =>
            RetryClock.AdvanceUntilDoneAsync(SendAsync(app), clock, app.ConnectionString, "the run through the 451s"));
        Assert.Contains("1 deliveries failed", error.Message);
        foreach (var address in new[] { "tinh-relay@example.vn", "mot-relay@example.vn", "mot2-relay@example.vn" })
            Assert.Single(smtp.To(address));
        Assert.Empty(smtp.To("hai-relay@example.vn"));

        var ledger = (await app.Admin().GetFromJsonAsync<JsonObject>("/api/admin/bulletins"))!["items"]!.AsArray();
        Assert.Equal(4, ledger.Count);
        var refused = ledger.Single(d => (string?)d!["recipient"] == "hai-relay@example.vn")!;
        Assert.Equal(("failed", 1), ((string?)refused["status"], (int)refused["attempts"]!));
        Assert.StartsWith("550", (string?)refused["error"]);
        Assert.Equal(3, ledger.Count(d => (string?)d!["status"] == "sent"));
        Assert.Equal(2, ledger.Count(d => (int)d!["attempts"]! == 2));   // the two that met the 451 went through on their retry

        // Running the job again (Hangfire's retry) sends nobody a second copy and does not retry the permanent failure.
        await Assert.ThrowsAsync<DeliveryFailuresException>(() => SendAsync(app));
        Assert.Equal(3, smtp.Messages.Count);
    }

    [Fact]
    public async Task A_relay_that_is_down_at_the_start_is_waited_for_and_everyone_is_served_once()
    {
        using var reference = Province("down");
        var port = SmtpFixture.FreePort();   // nothing listens there yet
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, clock,
            settings: new Dictionary<string, string?> { ["Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var sending = SendAsync(app);
        // Every first attempt refused and waiting for its retry, on a clock that does not move until the test moves it.
        await Poll.UntilAsync(async () => await CountAsync(app, "status = 'pending' and attempts = 1 and next_attempt_at is not null") == 4,
            TimeSpan.FromSeconds(60), "four first attempts refused");
        Assert.False(sending.IsCompleted);
        await using var relay = SmtpFixture.StartOn(port);

        var result = await RetryClock.AdvanceUntilDoneAsync(sending, clock, app.ConnectionString, "the run once the relay is up");
        Assert.Equal(4, result.Sent);
        foreach (var address in new[] { "tinh-down@example.vn", "mot-down@example.vn", "mot2-down@example.vn", "hai-down@example.vn" })
            Assert.Single(relay.To(address));
        var ledger = (await app.Admin().GetFromJsonAsync<JsonObject>("/api/admin/bulletins"))!["items"]!.AsArray();
        Assert.All(ledger, d => Assert.Equal("sent", (string?)d!["status"]));
        Assert.Contains(ledger, d => (int)d!["attempts"]! > 1);
    }

    private static async Task<long> CountAsync(TestApp app, string where)
    {
        await using var db = new Npgsql.NpgsqlConnection(app.ConnectionString);
        return await Dapper.SqlMapper.ExecuteScalarAsync<long>(db, $"select count(*) from deliveries where {where}");
    }

    [Fact]
    public async Task A_resend_is_a_fresh_copy_marked_as_such_and_the_first_copy_is_not_sent_again()
    {
        smtp.Reset();
        using var reference = Province("resend");
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory);
        await SendAsync(app);
        await app.InScopeAsync<BulletinJob, RunResult>(j => j.SendAsync(null, "bcd-tinh", resend: true, default));
        var copies = smtp.To("tinh-resend@example.vn").OrderBy(m => m.Headers.Contains("X-NTM-Resend")).ToList();
        Assert.Equal(2, copies.Count);
        Assert.DoesNotContain("gửi lại", copies[0].Subject);
        Assert.EndsWith("(gửi lại)", copies[1].Subject);
        Assert.Equal("1", copies[1].Headers["X-NTM-Resend"]);
        Assert.NotEqual(copies[0].MessageId, copies[1].MessageId);
        Assert.StartsWith("[Gửi lại]", copies[1].TextBody);
        Assert.Single(smtp.To("mot-resend@example.vn"));   // the resend was for the province committee only
    }
}
