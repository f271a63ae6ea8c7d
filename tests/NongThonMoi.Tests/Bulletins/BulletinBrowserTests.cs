using System.Diagnostics;
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
        var chromium = new[] { "chromium", "chromium-browser", "google-chrome" }
            .Select(n => Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, n)).FirstOrDefault(File.Exists))
            .FirstOrDefault(p => p is not null);
        Assert.True(chromium is not null, "headless Chromium is needed for this test: apt-get install chromium");

        using var reference = new TestReference(TestReference.SmallProvince, committees: new object[]
        {
            new { id = "bcd-tinh", name = "Ban Chỉ đạo tỉnh", scope = "province", members = new[] { new { name = "Văn phòng", email = "tinh-browser@example.vn" } } },
        });
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)));
        Assert.Equal(HttpStatusCode.Created, (await app.Admin().PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901())).StatusCode);
        var folder = Path.Combine(Path.GetTempPath(), $"ntm-browser-{Guid.NewGuid():N}");
        await app.InScopeAsync<BulletinPreview, List<string>>(p => p.WriteAsync("2026-W48", "bcd-tinh", folder, default));
        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

        foreach (var (width, name) in new[] { (600, "bulletin-province-600.png"), (375, "bulletin-province-375.png") })
        {
            var shot = Path.Combine(artifacts, name);
            File.Delete(shot);
            using var process = Process.Start(new ProcessStartInfo(chromium!,
                ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", $"--window-size={width},2400",
                 $"--user-data-dir={Path.Combine(folder, "profile")}", $"--screenshot={shot}", new Uri(Path.Combine(folder, "bcd-tinh.html")).AbsoluteUri])
            { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(File.Exists(shot), $"chromium wrote no screenshot (exit {process.ExitCode}): {await stderr}");
            output.WriteLine($"screenshot: {shot}");

            using var bitmap = SKBitmap.Decode(shot);
            Assert.Equal(width, bitmap.Width);
            // Not a blank page: the green title bar, the tables and the charts give many colours.
            var colours = new HashSet<uint>();
            for (var y = 0; y < bitmap.Height; y += 3)
                for (var x = 0; x < bitmap.Width; x += 3)
                    colours.Add((uint)bitmap.GetPixel(x, y));
            Assert.True(colours.Count > 50, $"only {colours.Count} colours in {shot}");
            // Nothing is wider than the window: the right-most column is page background, not a cut-off table.
            Assert.Equal(bitmap.GetPixel(width - 1, 5), bitmap.GetPixel(width - 1, bitmap.Height / 2));
        }
        Directory.Delete(folder, recursive: true);
    }
}
