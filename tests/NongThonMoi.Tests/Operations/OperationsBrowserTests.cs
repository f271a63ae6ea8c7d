using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Tests.Support;
using SkiaSharp;
using Xunit.Abstractions;

namespace NongThonMoi.Tests.Operations;

/// <summary>
/// The admin's view in a real browser: headless Chromium logs into the dashboard on a listening port, opens
/// "Báo cáo NTM", and shows the figures the API gives. The screenshot is kept under <c>artifacts/</c> beside the test binaries.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class OperationsBrowserTests(PostgresFixture postgres, SmtpFixture smtp, ITestOutputHelper output)
{
    [Fact]
    public async Task Chromium_logs_in_and_the_page_shows_the_figures_of_the_api()
    {
        var chromium = Chromium.Find();

        using var reference = new TestReference(TestReference.SmallProvince,
            targets: new Dictionary<string, object> { ["2026"] = new { province = new { new_standard = 2 } } });
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory,
            new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)), listen: true);
        var admin = app.Admin();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901())).StatusCode);
        await WalkingSkeletonTests.WaitForSnapshotAsync(admin, s => (int)s["submissions"]!["on_time"]! == 1);

        var page = new UriBuilder(new Uri(app.Listening!, "/hangfire/bao-cao-ntm"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync(page.Uri)).StatusCode);
        var folder = Directory.CreateTempSubdirectory("ntm-dashboard-").FullName;
        var profile = Path.Combine(folder, "profile");
        var (anonymousExit, anonymousDom, anonymousErrors) = await chromium.RunAsync(profile, "--dump-dom", page.Uri.AbsoluteUri);
        Assert.True(anonymousExit == 0, $"chromium exited {anonymousExit}: {anonymousErrors}");
        // Headless Chromium renders nothing for a 401 with a Basic challenge; the refusal itself is asserted above on HTTP.
        Assert.DoesNotContain("ntm-units", anonymousDom);

        page.UserName = TestApp.AdminUser;
        page.Password = TestApp.AdminPassword;
        var (exit, dom, errors) = await chromium.RunAsync(profile, "--dump-dom", page.Uri.AbsoluteUri);
        Assert.True(exit == 0, $"chromium exited {exit}: {errors}");
        Assert.Contains("Báo cáo NTM", dom);
        Assert.Contains("href=\"/hangfire/recurring\"", dom);   // inside the dashboard's own layout and menu
        // Worked by hand: two districts, Huyện Một on time and Huyện Hai missing; 1 of 5 communes standard (of a
        // target of 2 new this year), and (10 + 6 + 2) / 3 = 6.00 criteria on average over the communes with data.
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(dom, "data-unit=\""));
        Assert.Contains("data-unit=\"901\" data-status=\"on-time\"", dom);
        Assert.Contains("data-unit=\"902\" data-status=\"missing\"", dom);
        Assert.Contains("<td>1 / 5 (", dom);
        Assert.Contains("<td>1 / 2</td>", dom);
        Assert.Contains("<td>6,00</td>", dom);

        var shot = Chromium.Artifact("dashboard-bao-cao-ntm.png");
        Assert.Equal(0, (await chromium.RunAsync(profile, $"--screenshot={shot}", page.Uri.AbsoluteUri)).ExitCode);
        Assert.True(File.Exists(shot), "chromium wrote no screenshot");
        output.WriteLine($"screenshot: {shot}");
        using var bitmap = SKBitmap.Decode(shot);
        var colours = Chromium.Colours(bitmap);
        // The dashboard's styled layout loaded (its stylesheet came through the same login), not a bare 401 page.
        Assert.True(colours > 20, $"only {colours} colours in {shot}");
        Directory.Delete(folder, recursive: true);
    }
}
