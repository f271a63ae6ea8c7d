using MiniExcelLibs;
using NongThonMoi.Composition.Demo;
using NongThonMoi.Programme;
using NongThonMoi.Submissions;
using NongThonMoi.Tests.Support;
using PuppeteerSharp;

namespace NongThonMoi.Tests.Portal;

/// <summary>
/// The portal in real headless Chromium (the machine's own, never a downloaded one), as a district clerk uses it:
/// sign in, download the pre-filled workbook, upload it with two mistakes, fix them, get the receipt, and type the report
/// on a 375 px phone. Screenshots land in <c>artifacts/portal-*.png</c> (the README shows copies from <c>docs/</c>).
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class PortalBrowserTests(PostgresFixture postgres, SmtpFixture smtp) : IAsyncLifetime
{
    private const string District = "182"; // Huyện Văn Lãng of the sample province
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(1); // a hang guard, not a speed bound

    private readonly TestReference reference = TestReference.LangSonBeforeReform();
    private TestApp app = null!;
    private IBrowser browser = null!;
    private string downloads = "";
    private string code = "";

    public async Task InitializeAsync()
    {
        app = await TestApp.StartAsync(postgres, smtp, reference.Directory, PortalAccessTests.Wednesday(), listen: true);
        // Last week's report, so the template and the form have something to be pre-filled with.
        var data = await app.Get<ReferenceStore>().LoadAsync(default);
        var unit = data.Units.Single(u => u.Code == District);
        var lastWeek = ReportingPeriod.Parse("2026-W47");
        var body = DemoData.Body(unit, data.CommunesOf(unit), lastWeek, data.CriteriaSets.Single(s => s.AppliesTo(2026)), data.DataElements);
        Assert.True((await app.Get<SubmissionService>().SubmitAsync(Submitter.Admin, SubmissionFormat.Json, "application/json", body, null, null, default)).Accepted);
        code = await app.Get<TokenService>().CreateAsync(District, default);

        downloads = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"ntm-downloads-{Guid.NewGuid():N}")).FullName;
        browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            Headless = true,
            ExecutablePath = ChromiumPath(),
            Args = ["--no-sandbox", "--disable-gpu", "--lang=vi-VN"],
        });
    }

    private static string ChromiumPath() =>
        Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, "chromium")).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("headless Chromium is needed for this test: apt-get install chromium");

    private async Task<IPage> PageAsync(int width, int height = 900)
    {
        var context = await browser.CreateBrowserContextAsync(new BrowserContextOptions
        {
            DownloadBehavior = new DownloadBehavior { Policy = DownloadPolicy.Allow, DownloadPath = downloads },
        });
        var page = await context.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = width, Height = height });
        page.DefaultTimeout = (int)Generous.TotalMilliseconds;
        return page;
    }

    private string Url(string path) => new Uri(app.Listening!, path).ToString();

    private async Task SignInAsync(IPage page)
    {
        await page.GoToAsync(Url("/"));
        await page.TypeAsync("#ma", code);
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("main form button[type=submit]"));
    }

    private static async Task ShotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(Chromium.Artifact(name), new ScreenshotOptions { FullPage = true });

    [Fact]
    public async Task A_clerk_signs_in_downloads_the_pre_filled_workbook_fixes_two_errors_and_gets_a_receipt()
    {
        var page = await PageAsync(1100);
        await page.GoToAsync(Url("/"));
        await ShotAsync(page, "portal-dang-nhap.png");
        await SignInAsync(page);
        Assert.Contains("Huyện Văn Lãng", await page.GetContentAsync());
        Assert.Contains("Chưa nộp", await page.GetContentAsync());
        await ShotAsync(page, "portal-trang-chu.png");

        await page.ClickAsync("a[href='/mau/bao-cao.xlsx']");
        var downloaded = await Poll.ForAsync(() => Directory.GetFiles(downloads, "*.xlsx").FirstOrDefault(), Generous, "the template downloaded");
        await using var workbook = new MemoryStream(await File.ReadAllBytesAsync(downloaded));
        var rows = MiniExcel.Query(workbook, useHeaderRow: true, sheetName: "BaoCao").Cast<IDictionary<string, object?>>().ToList();
        Assert.All(rows, r => Assert.False(string.IsNullOrEmpty(r["status"]?.ToString()), "every commune's status is pre-filled"));

        // Two mistakes a clerk makes: an empty criterion cell and a misspelt status.
        var broken = rows.Select(r => new Dictionary<string, object?>(r)).ToList();
        broken[0]["tc03"] = null;
        broken[2]["status"] = "dat-chuann";
        var brokenFile = Path.Combine(downloads, "bao-cao-co-loi.xlsx");
        MiniExcel.SaveAs(brokenFile, broken);
        await (await page.QuerySelectorAsync("#tep"))!.UploadFileAsync(brokenFile);
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("form.upload button"));
        var refused = await page.GetContentAsync();
        Assert.Contains("có 2 lỗi cần sửa", refused);
        Assert.Contains("bao-cao-co-loi.xlsx", refused);
        Assert.Equal(2, (await page.QuerySelectorAllAsync("table.errors tbody tr")).Length);
        Assert.Contains("tc03", refused);
        Assert.Contains("dat-chuann", refused);
        await ShotAsync(page, "portal-loi.png");

        await (await page.QuerySelectorAsync("#tep"))!.UploadFileAsync(downloaded);
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("form.upload button"));
        var receipt = await page.GetContentAsync();
        Assert.Contains("Biên nhận báo cáo", receipt);
        Assert.Contains("Đúng hạn", receipt);
        Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(downloaded))), receipt);
        await ShotAsync(page, "portal-bien-nhan.png");
    }

    [Fact]
    public async Task The_entry_form_is_filled_with_the_keyboard_on_a_375_px_phone()
    {
        var page = await PageAsync(375, 740);
        await SignInAsync(page);
        await page.GoToAsync(Url("/nhap"));
        await page.ScreenshotAsync(Chromium.Artifact("portal-nhap-375.png"));
        // Rows are cards: nothing wider than the phone, no sideways scrolling.
        var wide = await page.EvaluateExpressionAsync<string>(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 376).map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 5).join(' ')");
        Assert.True(wide.Length == 0, $"wider than 375 px: {wide}");
        var first = await page.EvaluateExpressionAsync<string>("document.querySelector('fieldset.commune').id");
        var commune = first["xa-".Length..];

        // Keyboard only: the status, then the year, then Tab to the first criterion and Space to tick or untick it.
        await page.FocusAsync($"#tt-{commune}");
        await page.SelectAsync($"#tt-{commune}", "dat-chuan");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.DownAsync("Control");
        await page.Keyboard.PressAsync("KeyA");
        await page.Keyboard.UpAsync("Control");
        await page.Keyboard.TypeAsync("2025");
        var before = await page.EvaluateExpressionAsync<bool>($"document.querySelector('input[name=\"tc-{commune}\"]').checked");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Space");
        Assert.NotEqual(before, await page.EvaluateExpressionAsync<bool>($"document.querySelector('input[name=\"tc-{commune}\"]').checked"));
        // Put it back, so the commune meets what a standard commune must and the report is accepted.
        await page.Keyboard.PressAsync("Space");
        await ShotAsync(page, "portal-nhap-375-day-du.png");

        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("form.entry > button[type=submit]"));
        var answer = await page.GetContentAsync();
        Assert.Contains("Biên nhận báo cáo", answer);
        Assert.True(await page.EvaluateExpressionAsync<int>("document.documentElement.scrollWidth") <= 375);
        await page.ScreenshotAsync(Chromium.Artifact("portal-bien-nhan-375.png"));
        var stored = await app.Get<SubmissionStore>().ListAsync(District, "2026-W48", default);
        Assert.Equal("json", Assert.Single(stored).Format);
    }

    [Fact]
    public async Task The_admin_signs_in_with_the_form_sees_every_unit_and_prints_a_new_code()
    {
        var page = await PageAsync(1100);
        await page.GoToAsync(Url("/quan-tri/dang-nhap"));
        await page.TypeAsync("#ten", TestApp.AdminUser);
        await page.TypeAsync("#mat-khau", TestApp.AdminPassword);
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("main form button[type=submit]"));
        Assert.Contains("Tình hình nộp báo cáo", await page.GetContentAsync());
        await ShotAsync(page, "portal-quan-tri.png");

        await page.GoToAsync(Url("/quan-tri/ma-truy-cap"));
        await page.SelectAsync("#don-vi", District);
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("form.card button[type=submit]"));
        var slip = await page.GetContentAsync();
        Assert.Contains("Phiếu mã truy cập", slip);
        Assert.Matches("ntm_[A-Za-z0-9_-]{20,}", slip);
        await ShotAsync(page, "portal-phieu-ma.png");
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        await app.DisposeAsync();
        reference.Dispose();
        try { Directory.Delete(downloads, recursive: true); } catch (IOException) { }
    }
}
