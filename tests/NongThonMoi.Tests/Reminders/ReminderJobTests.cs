using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using NongThonMoi.Reminders;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Reminders;

/// <summary>Reminders go to the units that have not submitted: once before the deadline, once after it, never twice.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class ReminderJobTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private static DateTimeOffset Local(int d, int h) => HaNoi.At(2026, 11, d, h);

    private static TestReference Province(string tag) => new(TestReference.SmallProvince, committees: new object[]
    {
        new { id = "bcd-tinh", name = "Ban Chỉ đạo tỉnh", scope = "province",
              members = new[] { new { name = "Văn phòng tỉnh", email = $"tinh-{tag}@example.vn" } } },
        new { id = "bcd-901", name = "Ban Chỉ đạo huyện Một", scope = "901", reminders = true,
              members = new[] { new { name = "Văn phòng huyện Một", email = $"mot-{tag}@example.vn" } } },
        new { id = "bcd-902", name = "Ban Chỉ đạo huyện Hai", scope = "902", reminders = true,
              members = new[] { new { name = "Văn phòng huyện Hai", email = $"hai-{tag}@example.vn" },
                                new { name = "Phó văn phòng huyện Hai", email = $"hai2-{tag}@example.vn" } } },
    });

    private IReadOnlyList<MimeMessage> Week48(string address, string kind) =>
        smtp.To(address).Where(m => (m.Subject ?? "").StartsWith(kind) && (m.Subject ?? "").Contains("Tuần 48/2026")).ToList();

    private const string Before = "Nhắc hạn nộp báo cáo nông thôn mới", Overdue = "Quá hạn nộp báo cáo nông thôn mới";
    private const string W47 = "Tuần 47/2026 (16/11–22/11/2026)", W48 = "Tuần 48/2026 (23/11–29/11/2026)";

    /// <summary>Every message an address has received, by subject, in a fixed order, one line each (a failure shows where they differ).</summary>
    private string All(string address) => Subjects(smtp.To(address).Select(m => m.Subject ?? "").ToArray());

    private static string Subjects(params string[] subjects) => string.Join("\n", subjects.Order(StringComparer.Ordinal));

    [Fact]
    public async Task Units_that_have_not_submitted_are_reminded_once_before_and_once_after_the_deadline()
    {
        const string tag = "remind";
        const string before = "Nhắc hạn nộp báo cáo", overdue = "Quá hạn nộp báo cáo";
        using var reference = Province(tag);
        var clock = new FakeTimeProvider(Local(26, 8));   // Thursday: inside the 2 days before Friday 17:00
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, clock);
        var admin = app.Admin();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901())).StatusCode);

        async Task RunAsync() => await app.InScopeAsync<ReminderJob, bool>(async job => { await job.RunAsync(default); return true; });

        await RunAsync();
        await RunAsync();   // the daily job running twice (or on two workers) sends nothing new
        var first = Assert.Single(Week48($"hai-{tag}@example.vn", before));
        Assert.Single(Week48($"hai2-{tag}@example.vn", before));
        Assert.Contains("Huyện Hai", first.Subject);
        Assert.Contains("17:00 ngày 27/11/2026", first.TextBody);
        Assert.Equal("auto-generated", first.Headers["Auto-Submitted"]);
        Assert.DoesNotContain(smtp.To($"mot-{tag}@example.vn"), m => (m.Subject ?? "").Contains("Tuần 48"));  // 901 has submitted
        Assert.Empty(smtp.To($"tinh-{tag}@example.vn"));                                          // no reminders: true
        // All the mail, worked by hand: Huyện Hai is reminded of week 48; neither district sent week 47, whose deadline
        // has passed, so both get its overdue notice, once.
        Assert.Equal(Subjects($"{Overdue} – Huyện Một – {W47}"), All($"mot-{tag}@example.vn"));
        foreach (var hai in new[] { $"hai-{tag}@example.vn", $"hai2-{tag}@example.vn" })
            Assert.Equal(Subjects($"{Before} – Huyện Hai – {W48}", $"{Overdue} – Huyện Hai – {W47}"), All(hai));

        // Wednesday morning was outside the window: nothing "before" would have gone out then.
        clock.SetUtcNow(Local(28, 8));   // Saturday, after the deadline
        await RunAsync();
        await RunAsync();
        Assert.Single(Week48($"hai-{tag}@example.vn", overdue));
        Assert.Contains("vẫn được nhận", Week48($"hai-{tag}@example.vn", overdue)[0].TextBody);
        Assert.Empty(Week48($"mot-{tag}@example.vn", overdue));

        // A late submission stops nothing already sent and adds nothing: the next day is quiet for week 48.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body902())).StatusCode);
        clock.SetUtcNow(Local(29, 8));
        await RunAsync();
        Assert.Single(Week48($"hai-{tag}@example.vn", before));
        Assert.Single(Week48($"hai-{tag}@example.vn", overdue));
        // In all: week 48's reminder and overdue notice to Huyện Hai's two members, week 47's overdue notice to everyone.
        Assert.Equal(Subjects($"{Overdue} – Huyện Một – {W47}"), All($"mot-{tag}@example.vn"));
        foreach (var hai in new[] { $"hai-{tag}@example.vn", $"hai2-{tag}@example.vn" })
            Assert.Equal(Subjects($"{Before} – Huyện Hai – {W48}", $"{Overdue} – Huyện Hai – {W47}", $"{Overdue} – Huyện Hai – {W48}"), All(hai));
        Assert.Equal("", All($"tinh-{tag}@example.vn"));
    }

    [Fact]
    public async Task Nothing_goes_out_outside_the_window_before_the_deadline()
    {
        const string tag = "quiet";
        using var reference = Province(tag);
        var clock = new FakeTimeProvider(Local(24, 8));   // Tuesday: more than 2 days before Friday 17:00
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, clock);
        await app.InScopeAsync<ReminderJob, bool>(async job => { await job.RunAsync(default); return true; });
        Assert.Empty(Week48($"hai-{tag}@example.vn", "Nhắc hạn nộp báo cáo"));
        Assert.Empty(Week48($"mot-{tag}@example.vn", "Nhắc hạn nộp báo cáo"));
        // All the mail: only the overdue notice of week 47, whose deadline passed last Friday.
        Assert.Equal(Subjects($"{Overdue} – Huyện Một – {W47}"), All($"mot-{tag}@example.vn"));
        Assert.Equal(Subjects($"{Overdue} – Huyện Hai – {W47}"), All($"hai-{tag}@example.vn"));
        Assert.Equal("", All($"tinh-{tag}@example.vn"));
    }
}
