using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Bulletins;
using NongThonMoi.Indicators;
using NongThonMoi.Infrastructure.Mail;
using NongThonMoi.Programme;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Bulletins;

/// <summary>A late submission that changes figures already sent is reported, once, in the next bulletin.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class BulletinCorrectionTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private static DateTimeOffset Local(int month, int day, int hour) => HaNoi.At(2026, month, day, hour);

    [Fact]
    public async Task The_next_bulletin_says_which_figures_of_an_earlier_period_changed_after_it_went_out()
    {
        smtp.Reset();
        using var reference = new TestReference(TestReference.SmallProvince, committees: new object[]
        {
            new { id = "bcd-tinh", name = "Ban Chỉ đạo tỉnh", scope = "province", members = new[] { new { name = "Văn phòng", email = "tinh-fix@example.vn" } } },
            new { id = "bcd-901", name = "BCĐ huyện Một", scope = "901", members = new[] { new { name = "Huyện Một", email = "mot-fix@example.vn" } } },
            new { id = "bcd-902", name = "BCĐ huyện Hai", scope = "902", members = new[] { new { name = "Huyện Hai", email = "hai-fix@example.vn" } } },
        });
        var clock = new FakeTimeProvider(Local(11, 27, 9));   // Friday of week 48, before the deadline
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, clock);
        var admin = app.Admin();
        Task<CalculationResult?> Recompute(string period) =>
            app.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(ReportingPeriod.Parse(period), false, default));
        Task<RunResult> Send(string period) => app.InScopeAsync<BulletinJob, RunResult>(j => j.SendAsync(period, null, false, default));
        string Text(string address, string period) => smtp.To(address).Single(m => m.Headers["X-NTM-Period"] == period).TextBody ?? "";

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901())).StatusCode);
        clock.SetUtcNow(Local(11, 30, 7));   // Monday: week 48's bulletin goes out with Huyện Hai missing
        await Recompute("2026-W48");
        await Send("2026-W48");
        Assert.DoesNotContain("ĐÍNH CHÍNH", Text("tinh-fix@example.vn", "2026-W48"));

        clock.SetUtcNow(Local(12, 1, 10));   // Tuesday: Huyện Hai sends week 48 late, with one more standard commune
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body902())).StatusCode);
        await Recompute("2026-W48");

        clock.SetUtcNow(Local(12, 7, 7));    // next Monday: week 49's bulletin carries the correction
        await Recompute("2026-W49");
        await Send("2026-W49");
        var province = Text("tinh-fix@example.vn", "2026-W49");
        Assert.Contains("ĐÍNH CHÍNH SỐ LIỆU KỲ TRƯỚC", province);
        Assert.Contains("Tuần 48/2026 (23/11–29/11/2026): xã đạt chuẩn 1 → 2;", province);
        Assert.Contains("đơn vị đã báo cáo 1 → 2", province);
        Assert.Contains("Đính chính số liệu kỳ trước", smtp.To("tinh-fix@example.vn").Single(m => m.Headers["X-NTM-Period"] == "2026-W49").HtmlBody);
        Assert.Contains("xã đạt chuẩn 0 → 1", Text("hai-fix@example.vn", "2026-W49"));       // the district whose figures moved
        Assert.DoesNotContain("ĐÍNH CHÍNH", Text("mot-fix@example.vn", "2026-W49"));        // Huyện Một's did not

        clock.SetUtcNow(Local(12, 14, 7));   // the week after: already reported, not repeated
        await Recompute("2026-W50");
        await Send("2026-W50");
        Assert.DoesNotContain("ĐÍNH CHÍNH", Text("tinh-fix@example.vn", "2026-W50"));
    }
}
