using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Submissions;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Portal;

/// <summary>Uploading, typing in and pre-filling a report through the portal: the same rules and archive as the API.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class PortalSubmissionTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private static async Task<(TestApp App, PortalSession Browser, TestReference Reference)> SignedInAsync(PostgresFixture postgres, SmtpFixture smtp)
    {
        var reference = new TestReference(TestReference.SmallProvince);
        var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, PortalAccessTests.Wednesday());
        var browser = new PortalSession(app);
        await browser.SignInAsync(await app.Get<TokenService>().CreateAsync("901", default));
        return (app, browser, reference);
    }

    [Fact]
    public async Task A_refused_file_lists_every_error_in_row_order_with_the_file_name_and_an_accepted_one_gets_a_receipt()
    {
        var (app, browser, reference) = await SignedInAsync(postgres, smtp);
        await using var _ = app;
        using var __ = browser;
        using var ___ = reference;

        var refused = await browser.UploadAsync("/nop-tep", "tuan-48.csv", FileCsv.Bytes(FileCsv.Unit901TwoErrors), await browser.TokenOfAsync("/"));
        var page = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("có 2 lỗi cần sửa", page);
        Assert.Contains("tuan-48.csv", page);
        var tc03 = page.IndexOf("tc03 (tiêu chí 3.", StringComparison.Ordinal);
        var status = page.IndexOf("dat-chuann", StringComparison.Ordinal);
        Assert.True(tc03 > 0 && status > tc03, "row 2's error comes before row 4's");
        Assert.Contains("Xã Một Một", page);
        Assert.Contains("name=\"tep\"", page);

        var accepted = await browser.UploadAsync("/nop-tep", "tuan-48.csv", FileCsv.Bytes(FileCsv.Unit901), PortalSession.Token(page));
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        var receipt = await browser.PageAsync(accepted.Headers.Location!.OriginalString);
        var stored = (await app.Get<SubmissionStore>().ListAsync("901", null, default)).First(s => s.Status == "accepted");
        Assert.Contains("Biên nhận báo cáo", receipt);
        Assert.Contains(stored.Id.ToString(), receipt);
        Assert.Contains(stored.Sha256, receipt);
        Assert.Contains("10:00 ngày 25/11/2026", receipt);
        Assert.Contains("Đúng hạn", receipt);
        Assert.Equal("csv", stored.Format);

        var home = await browser.PageAsync("/");
        Assert.Contains("Đã nộp đúng hạn lúc 10:00 ngày 25/11/2026", home);
        Assert.Contains("Bị từ chối", home);
        var original = await browser.Client.GetByteArrayAsync($"/tai-ve/{stored.Id}");
        Assert.Equal(FileCsv.Bytes(FileCsv.Unit901), original);
    }

    [Fact]
    public async Task An_xls_file_is_taken_like_an_xlsx_one_and_downloads_back_as_sent()
    {
        var (app, browser, reference) = await SignedInAsync(postgres, smtp);
        await using var _ = app;
        using var __ = browser;
        using var ___ = reference;

        var home = await browser.PageAsync("/");
        Assert.Contains("accept=\".xlsx,.xls,.csv\"", home);
        var bytes = FileCsv.Xls(FileCsv.Unit901);
        var accepted = await browser.UploadAsync("/nop-tep", "tuan-48.xls", bytes, PortalSession.Token(home));
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        var stored = Assert.Single(await app.Get<SubmissionStore>().ListAsync("901", null, default));
        Assert.Equal(("accepted", "xls"), (stored.Status, stored.Format));

        var original = await browser.Client.GetAsync($"/tai-ve/{stored.Id}");
        Assert.Equal("application/vnd.ms-excel", original.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith(".xls", original.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal(bytes, await original.Content.ReadAsByteArrayAsync());

        // A damaged .xls is the page's own refusal in Vietnamese, never an error page.
        var broken = await browser.UploadAsync("/nop-tep", "hong.xls", bytes[..700], PortalSession.Token(home));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Contains("không đọc được tệp Excel", await broken.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_entry_form_goes_through_the_archive_keeps_what_was_typed_when_refused_and_comes_back_pre_filled()
    {
        var (app, browser, reference) = await SignedInAsync(postgres, smtp);
        await using var _ = app;
        using var __ = browser;
        using var ___ = reference;

        // Xã Một Một "đạt chuẩn" without a year: refused, and everything typed comes back.
        List<KeyValuePair<string, string>> form =
        [
            new("tt-90101", "dat-chuan"), new("nam-90101", ""),
            .. Enumerable.Range(1, 10).Select(n => new KeyValuePair<string, string>("tc-90101", n.ToString())),
            new("tt-90102", "chua-dat"), new("tc-90102", "1"), new("tc-90102", "2"),
            new("tt-90103", "chua-dat"), new("tc-90103", "7"),
            new("sl-ocop_3_sao", "3"),
        ];
        var refused = await browser.PostFormAsync("/nhap", form);
        var page = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("Có lỗi cần sửa (1)", page);
        Assert.Contains("href=\"#xa-90101\"", page);
        Assert.Contains("id=\"loi-90101\"", page);
        Assert.Contains("<option value=\"dat-chuan\" selected=\"selected\">", page);
        Assert.Contains("name=\"tc-90103\" value=\"7\" checked=\"checked\"", page);
        Assert.DoesNotContain("name=\"tc-90103\" value=\"6\" checked", page);
        Assert.Contains("name=\"sl-ocop_3_sao\" value=\"3\"", page);
        var archived = await app.Get<SubmissionStore>().ListAsync("901", null, default);
        Assert.Equal("json", Assert.Single(archived).Format);

        form[1] = new("nam-90101", "2024");
        var accepted = await browser.PostFormAsync("/nhap", form);
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.StartsWith("/bien-nhan/", accepted.Headers.Location!.OriginalString);

        var again = await browser.PageAsync("/nhap");
        Assert.Contains("theo báo cáo được nhận của kỳ 2026-W48", again);
        Assert.Contains("name=\"nam-90101\" value=\"2024\"", again);
        Assert.Contains("name=\"tc-90103\" value=\"7\" checked=\"checked\"", again);
        var csv = Encoding.UTF8.GetString(await browser.Client.GetByteArrayAsync("/mau/bao-cao.csv"));
        Assert.Contains("90101,Xã Một Một,dat-chuan,2024,1,1,1,1,1,1,1,1,1,1", csv);
        Assert.Contains("90103,Xã Một Ba,chua-dat,,0,0,0,0,0,0,1,0,0,0", csv);
    }

    [Fact]
    public async Task The_api_template_is_pre_filled_too_and_blank_where_there_is_no_data()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, PortalAccessTests.Wednesday());
        var admin = app.Admin();
        var blank = await admin.GetStringAsync("/api/templates/submission.csv?unit=901");
        Assert.Contains("90102,Xã Một Hai,,,,,,,,,,,,", blank);

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/api/submissions/file?unit=901&period=2026-W47", FileCsv.Body(FileCsv.Unit901))).StatusCode);
        var filled = await admin.GetStringAsync("/api/templates/submission.csv?unit=901");
        Assert.Contains("90102,Xã Một Hai,chua-dat,,1,1,1,1,1,1,0,0,0,0", filled);
        Assert.Contains("90202,Xã Hai Hai,,,,,,,,,,,,", await admin.GetStringAsync("/api/templates/submission.csv?unit=902"));
    }

    [Fact]
    public async Task A_locked_period_is_explained_on_the_home_page_and_the_forms_are_gone()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        // Sunday 29/11/2026 10:00 in Hà Nội: two days after Friday's deadline, one day past the lock.
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, new FakeTimeProvider(HaNoi.At(2026, 11, 29, 10)),
            settings: new Dictionary<string, string?> { ["Reporting:LockAfterDays"] = "1" });
        using var browser = new PortalSession(app);
        await browser.SignInAsync(await app.Get<TokenService>().CreateAsync("901", default));

        var home = await browser.PageAsync("/");
        Assert.Contains("Kỳ này đã khóa sổ từ 17:00 ngày 28/11/2026", home);
        Assert.Contains("liên hệ Văn phòng Điều phối", home);
        Assert.Contains("đã quá hạn 1 ngày 17 giờ", home);
        Assert.DoesNotContain("name=\"tep\"", home);
    }

    [Fact]
    public async Task The_largest_sample_districts_pages_stay_under_100_KB()
    {
        using var reference = TestReference.LangSonBeforeReform();
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, PortalAccessTests.Wednesday());
        using var browser = new PortalSession(app);
        await browser.SignInAsync(await app.Get<TokenService>().CreateAsync("186", default)); // Hữu Lũng, 22 communes
        foreach (var path in new[] { "/", "/nhap" })
        {
            var bytes = (await browser.Client.GetByteArrayAsync(path)).Length;
            Assert.True(bytes is > 2_000 and < 100_000, $"{path}: {bytes} bytes");
        }
        Assert.Contains("Xã", await browser.PageAsync("/nhap"));
    }
}
