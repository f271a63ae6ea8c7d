using System.Net;
using System.Net.Http.Json;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Bulletins;
using NongThonMoi.Infrastructure.Mail;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Operations;

/// <summary>The "Báo cáo NTM" page of the Hangfire dashboard shows what the admin API says, behind the admin login.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class OperationsPageTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private const string Page = "/hangfire/bao-cao-ntm";
    private const string HostileName = "Huyện <script>alert('x')</script> & Hai";

    [Fact]
    public async Task The_page_needs_the_admin_login_and_shows_the_figures_of_the_api_encoded()
    {
        smtp.Reset();
        smtp.Refuse("hong-ops@example.vn");
        using var reference = new TestReference(TestReference.SmallProvince.Replace("Huyện Hai", HostileName),
            committees: new object[]
            {
                new { id = "bcd-tinh", name = "Ban Chỉ đạo tỉnh", scope = "province",
                      members = new[] { new { name = "Chánh Văn phòng", email = "tinh-ops@example.vn" }, new { name = "Hộp thư hỏng", email = "hong-ops@example.vn" } } },
            },
            targets: new Dictionary<string, object> { ["2026"] = new { province = new { new_standard = 3 } } });
        // Wednesday 25/11/2026 10:00 in Hà Nội: week 48, before Friday's 17:00 deadline.
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)));
        var admin = app.Admin();

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync(Page)).StatusCode);
        var empty = await admin.GetStringAsync(Page);
        Assert.Contains("Chưa có số liệu tổng hợp nào.", empty);
        Assert.Contains("Chưa có bản tin nào được gửi.", empty);

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901())).StatusCode);
        await WalkingSkeletonTests.WaitForSnapshotAsync(admin, s => (int)s["submissions"]!["on_time"]! == 1);
        // The refused mailbox fails the run, as it should for Hangfire to show it; the other member is served.
        await Assert.ThrowsAsync<DeliveryFailuresException>(() =>
            app.InScopeAsync<BulletinJob, RunResult>(j => j.SendAsync("2026-W48", null, false, default)));
        Assert.Single(smtp.To("tinh-ops@example.vn"));

        var response = await admin.GetAsync(Page);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains($"href=\"{Page}\"", html);   // its own menu item

        // Worked by hand, not read from the API: week 48's deadline is Friday 27/11/2026 17:00 in Hà Nội; Huyện Một
        // has sent (on time), Huyện Hai has not.
        Assert.Contains("Hạn nộp: <strong>27/11/2026 17:00</strong>", html);
        Assert.Contains("data-unit=\"901\" data-status=\"on-time\"", html);
        Assert.Contains("data-unit=\"902\" data-status=\"missing\"", html);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(html, "data-unit=\""));
        // Of the 5 communes only Huyện Một's 3 have data: 90101 standard (recognised in 2026, against a target of 3),
        // and (10 + 6 + 2) / 3 = 6.00 criteria on average.
        Assert.Contains("<td>1 / 5 (", html);
        Assert.Contains("<td>1 / 3</td>", html);
        Assert.Contains("<td>6,00</td>", html);

        var ledger = (await admin.GetFromJsonAsync<JsonObject>("/api/admin/bulletins?period=2026-W48"))!["items"]!.AsArray();
        var failed = Assert.Single(ledger, d => (string?)d!["status"] == "failed")!;
        Assert.StartsWith("550", (string?)failed["error"]);   // the relay's refusal, shown as the relay said it
        Assert.Contains("data-figure=\"sent\"><th>Đã gửi</th><td>1</td>", html);
        Assert.Contains("data-figure=\"failed\"><th>Thất bại</th><td>1</td>", html);
        Assert.Contains(HtmlEncoder.Create(UnicodeRanges.All).Encode((string)failed["error"]!), html);
        Assert.Contains("hong-ops@example.vn", html);

        Assert.DoesNotContain("<script>alert", html);
        Assert.Contains("Huyện &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Hai", html);
    }
}
