using System.Diagnostics;
using SkiaSharp;

namespace NongThonMoi.Tests.Support;

/// <summary>
/// Headless Chromium from the machine (<c>apt-get install chromium</c>; <c>.ci/run</c> installs it) for the tests
/// that look at a page the way a person would. Screenshots go under <c>artifacts/</c> beside the test binaries.
/// </summary>
public sealed class Chromium
{
    private readonly string _path;

    private Chromium(string path) => _path = path;

    public static Chromium Find()
    {
        var path = new[] { "chromium", "chromium-browser", "google-chrome" }
            .Select(n => Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, n)).FirstOrDefault(File.Exists))
            .FirstOrDefault(p => p is not null);
        Assert.True(path is not null, "headless Chromium is needed for this test: apt-get install chromium");
        return new Chromium(path!);
    }

    /// <summary>A fresh path under <c>artifacts/</c> for a screenshot the test keeps.</summary>
    public static string Artifact(string name)
    {
        var path = Path.Combine(Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName, name);
        File.Delete(path);
        return path;
    }

    /// <summary>Runs one headless action (<c>--dump-dom</c>, <c>--screenshot=…</c>) on <paramref name="url"/>; returns what it printed.</summary>
    public async Task<(int ExitCode, string Output, string Errors)> RunAsync(string profile, string action, string url, int width = 1280, int height = 1600)
    {
        using var process = Process.Start(new ProcessStartInfo(_path,
            ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", $"--window-size={width},{height}",
             $"--user-data-dir={profile}", action, url])
        { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>How many colours a screenshot has, sampled every third pixel: a blank or error page has few.</summary>
    public static int Colours(SKBitmap bitmap)
    {
        var colours = new HashSet<uint>();
        for (var y = 0; y < bitmap.Height; y += 3)
            for (var x = 0; x < bitmap.Width; x += 3)
                colours.Add((uint)bitmap.GetPixel(x, y));
        return colours.Count;
    }
}
