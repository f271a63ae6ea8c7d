using System.Net;
using System.Net.Http.Json;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Bulletins;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Operations;

/// <summary>Issue 6 item 5: one log line when a job starts and one when it ends, with its counts and duration.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class JobLogTests(PostgresFixture postgres, SmtpFixture smtp)
{
    [Fact]
    public async Task Every_job_logs_its_start_and_its_end_with_duration_and_counts()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory,
            new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)),
            settings: new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Information" });
        var capture = new LogCapture();
        app.Get<ILoggerFactory>().AddProvider(capture);
        var admin = app.Admin();

        // A submission enqueues a recompute; a bulletin for a committee that does not exist fails.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901())).StatusCode);
        await WalkingSkeletonTests.WaitForSnapshotAsync(admin, s => (int)s["submissions"]!["on_time"]! == 1);
        var failing = app.Get<IBackgroundJobClient>().Enqueue<BulletinJob>(j => j.RunAsync("2026-W48", "khong-co-ban-nay", false, CancellationToken.None));

        string[] lines = [];
        for (var i = 0; i < 300 && !lines.Any(l => l.Contains($"Job {failing} BulletinJob.RunAsync failed", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(100);
            lines = capture.Lines.ToArray();
        }

        var recompute = lines.Where(l => l.Contains("RecomputeJob.RunAsync", StringComparison.Ordinal)).ToList();
        Assert.Contains(recompute, l => l.StartsWith("Information Job ", StringComparison.Ordinal) && l.Contains("started (attempt 1)", StringComparison.Ordinal));
        Assert.Contains(recompute, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"finished in \d+ ms"));
        // Between the two, the job's own line with its counts.
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"Recompute 2026-W48: snapshot \d+, \d+/\d+ communes standard, 1/\d+ units reported, in \d+ ms"));
        Assert.Contains(lines, l => l.StartsWith("Warning Job " + failing + " BulletinJob.RunAsync failed after ", StringComparison.Ordinal)
                                    && l.Contains("khong-co-ban-nay", StringComparison.Ordinal));
        // One start line per job run: the filter is not added twice by hosts sharing the process.
        var starts = lines.Count(l => l.Contains($"Job {failing} BulletinJob.RunAsync started", StringComparison.Ordinal));
        Assert.Equal(1, starts);
    }
}
