using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Bulletins;
using NongThonMoi.Tests.Support;
using SkiaSharp;
using Xunit.Abstractions;

namespace NongThonMoi.Tests.Bulletins;

/// <summary>
/// The province bulletin as a browser draws it, at the mail body's 600 px and at a phone's 375 px, in headless
/// Chromium (<c>apt-get install chromium</c>; <c>.ci/run</c> installs it). The screenshots are kept under
/// <c>artifacts/</c> beside the test binaries for a human to look at.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class BulletinBrowserTests(PostgresFixture postgres, SmtpFixture smtp, ITestOutputHelper output)
{
    [Fact]
    public async Task The_province_bulletin_renders_in_chromium_at_mail_and_phone_width()
    {
        var chromium = Chromium.Find();

        using var reference = new TestReference(TestReference.SmallProvince, committees: new object[]
        {
            new { id = "bcd-tinh", name = "Ban Chỉ đạo tỉnh", scope = "province", members = new[] { new { name = "Văn phòng", email = "tinh-browser@example.vn" } } },
        });
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)));
        Assert.Equal(HttpStatusCode.Created, (await app.Admin().PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901())).StatusCode);
        var folder = Path.Combine(Path.GetTempPath(), $"ntm-browser-{Guid.NewGuid():N}");
        await app.InScopeAsync<BulletinPreview, List<string>>(p => p.WriteAsync("2026-W48", "bcd-tinh", folder, default));

        foreach (var (width, name) in new[] { (600, "bulletin-province-600.png"), (375, "bulletin-province-375.png") })
        {
            var shot = Chromium.Artifact(name);
            var (exit, _, stderr) = await chromium.RunAsync(Path.Combine(folder, "profile"), $"--screenshot={shot}",
                new Uri(Path.Combine(folder, "bcd-tinh.html")).AbsoluteUri, width, 2400);
            Assert.True(File.Exists(shot), $"chromium wrote no screenshot (exit {exit}): {stderr}");
            output.WriteLine($"screenshot: {shot}");

            using var bitmap = SKBitmap.Decode(shot);
            Assert.Equal(width, bitmap.Width);
            // Not a blank page: the green title bar, the tables and the charts give many colours.
            var colours = Chromium.Colours(bitmap);
            Assert.True(colours > 50, $"only {colours} colours in {shot}");
            // Nothing is wider than the window: the right-most column is page background, not a cut-off table.
            Assert.Equal(bitmap.GetPixel(width - 1, 5), bitmap.GetPixel(width - 1, bitmap.Height / 2));
        }
        Directory.Delete(folder, recursive: true);
    }
}
