using System.Net;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Infrastructure.Security;
using NongThonMoi.Portal;
using NongThonMoi.Submissions;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Portal;

/// <summary>Who may open which page of the portal (CONTRACT §7), over the test server with the real database.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class PortalAccessTests(PostgresFixture postgres, SmtpFixture smtp)
{
    /// <summary>Wednesday 25/11/2026 10:00 in Hà Nội: week 48, due Friday 27/11 17:00.</summary>
    internal static FakeTimeProvider Wednesday() => new(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_good_code_opens_a_session_cookie_and_the_units_page_and_the_code_is_never_shown_again()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var code = await app.Get<TokenService>().CreateAsync("901", default);
        using var browser = new PortalSession(app);

        var signIn = await browser.PageAsync("/");
        Assert.Contains("Mã truy cập", signIn);
        Assert.Contains("<label for=\"ma\">", signIn);

        var wrong = await browser.SignInAsync(code + "x");
        var wrongPage = await wrong.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("không đúng hoặc đã bị thu hồi", wrongPage);
        Assert.DoesNotContain(code, wrongPage);

        var response = await browser.SignInAsync(code);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(PortalAuthentication.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);

        var home = await browser.PageAsync("/");
        Assert.Contains("Huyện Một", home);
        Assert.Contains("Tuần 48/2026 (23/11–29/11/2026)", home);
        Assert.Contains("17:00 ngày 27/11/2026", home);
        Assert.Contains("còn 2 ngày 7 giờ", home);
        Assert.Contains("Chưa nộp", home);
        Assert.Contains("Kỳ trước (Tuần 47/2026 (16/11–22/11/2026)) đơn vị chưa có báo cáo", home);
        Assert.DoesNotContain(code, home);
        foreach (var path in new[] { "/nhap", "/mau/bao-cao.xlsx", "/mau/bao-cao.csv" })
            Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync(path)).StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await browser.PostFormAsync("/dang-xuat", [])).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.Client.GetAsync("/nhap")).StatusCode);
    }

    [Fact]
    public async Task Pages_need_a_session_and_the_API_without_credentials_still_answers_401_not_a_redirect()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        using var browser = new PortalSession(app);

        foreach (var path in new[] { "/nhap", "/mau/bao-cao.xlsx", $"/tai-ve/{Guid.NewGuid()}", $"/bien-nhan/{Guid.NewGuid()}", "/quan-tri/ma-truy-cap" })
        {
            var response = await browser.Client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{path}: {(int)response.StatusCode}");
            Assert.Equal(PortalAuthentication.EndedPath, response.Headers.Location?.OriginalString);
        }
        var api = await browser.Client.GetAsync("/api/submissions");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Null(api.Headers.Location);
        Assert.StartsWith("Basic", api.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_form_without_the_anti_forgery_token_is_refused()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var code = await app.Get<TokenService>().CreateAsync("901", default);
        using var browser = new PortalSession(app);
        await browser.PageAsync("/");

        var forged = await browser.Client.PostAsync("/", new FormUrlEncodedContent([new("ma", code)]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.DoesNotContain(forged.Headers.TryGetValues("Set-Cookie", out var set) ? set : [], c => c.StartsWith(PortalAuthentication.CookieName + "=", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync(code)).StatusCode);
        var entry = await browser.Client.PostAsync("/nhap", new FormUrlEncodedContent([new("tt-90101", "chua-dat")]));
        Assert.Equal(HttpStatusCode.BadRequest, entry.StatusCode);
        Assert.Empty(await app.Get<SubmissionStore>().ListAsync("901", null, default));
    }

    [Fact]
    public async Task A_district_cannot_open_another_units_pages_or_archived_files()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var other = await app.Admin().PostAsync("/api/submissions/file?unit=902&period=2026-W48", FileCsv.Body(FileCsv.Unit902));
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        var otherId = (await app.Get<SubmissionStore>().ListAsync("902", null, default)).Single().Id;

        using var browser = new PortalSession(app);
        await browser.SignInAsync(await app.Get<TokenService>().CreateAsync("901", default));
        Assert.Contains("Huyện Một", await browser.PageAsync("/"));
        foreach (var path in new[] { "/?unit=902", "/nhap?unit=902", "/mau/bao-cao.csv?unit=902", "/mau/bao-cao.xlsx?unit=902",
                     $"/tai-ve/{otherId}", $"/bien-nhan/{otherId}", $"/tai-ve/{otherId}?unit=902", "/quan-tri/ma-truy-cap" })
        {
            var response = await browser.Client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
            Assert.DoesNotContain("Huyện Hai", await response.Content.ReadAsStringAsync());
        }
        var upload = await browser.UploadAsync("/nop-tep?unit=902", "bao-cao.csv", FileCsv.Bytes(FileCsv.Unit902), await browser.TokenOfAsync("/"));
        Assert.Equal(HttpStatusCode.NotFound, upload.StatusCode);
        Assert.Single(await app.Get<SubmissionStore>().ListAsync("902", null, default));
    }

    [Fact]
    public async Task Revoking_a_code_ends_its_session_at_the_next_request()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var tokens = app.Get<TokenService>();
        using var revoked = new PortalSession(app);
        using var colleague = new PortalSession(app);
        await revoked.SignInAsync(await tokens.CreateAsync("901", default));
        await colleague.SignInAsync(await tokens.CreateAsync("902", default));
        Assert.Contains("Huyện Một", await revoked.PageAsync("/"));

        var id = (await app.Get<AccessCodes>().ListAsync(default)).Single(c => c.UnitCode == "901").Id;
        Assert.True(await app.Get<AccessCodes>().RevokeAsync(id, default));

        var next = await revoked.Client.GetAsync("/nhap");
        Assert.Equal(HttpStatusCode.Redirect, next.StatusCode);
        Assert.Equal(PortalAuthentication.EndedPath, next.Headers.Location?.OriginalString);
        var home = await revoked.PageAsync("/");
        Assert.Contains("Phiên làm việc đã kết thúc", await revoked.PageAsync(PortalAuthentication.EndedPath));
        Assert.DoesNotContain("Huyện Một", home);
        Assert.Contains("Huyện Hai", await colleague.PageAsync("/"));
    }

    [Fact]
    public async Task A_commune_name_with_markup_shows_as_text()
    {
        using var reference = new TestReference(TestReference.SmallProvince.Replace("Xã Một Hai", "Xã <script>alert(1)</script><b>Hai</b>"));
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        using var browser = new PortalSession(app);
        await browser.SignInAsync(await app.Get<TokenService>().CreateAsync("901", default));

        var form = await browser.PageAsync("/nhap");
        Assert.DoesNotContain("<script>alert(1)", form);
        Assert.DoesNotContain("<b>Hai</b>", form);
        Assert.Contains("Xã &lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;Hai&lt;/b&gt;", form);
    }

    [Fact]
    public async Task Portal_pages_carry_a_strict_content_security_policy_and_the_api_keeps_its_headers()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        using var browser = new PortalSession(app);

        var page = await browser.Client.GetAsync("/");
        var policy = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.DoesNotContain("<script", await page.Content.ReadAsStringAsync());
        Assert.DoesNotContain(" style=", await page.Content.ReadAsStringAsync());
        var css = await browser.Client.GetAsync(PortalStyles.Href);
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        Assert.False((await app.Anonymous().GetAsync("/health/live")).Headers.Contains("Content-Security-Policy"));
    }

    [Fact]
    public async Task Too_many_wrong_codes_from_one_address_are_answered_429_but_the_admin_there_still_signs_in()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        using var clerk = new PortalSession(app);
        for (var i = 0; i < LoginThrottle.FailuresPerWindow; i++)
            Assert.Equal(HttpStatusCode.OK, (await clerk.SignInAsync("ntm_sai-mot-chu")).StatusCode);
        var blocked = await clerk.SignInAsync("ntm_sai-mot-chu");
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Contains("thử lại sau", await blocked.Content.ReadAsStringAsync());

        using var admin = new PortalSession(app);
        var signedIn = await admin.PostFormAsync("/quan-tri/dang-nhap", [new("ten", TestApp.AdminUser), new("mat-khau", TestApp.AdminPassword)]);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Contains("Tình hình nộp báo cáo", await admin.PageAsync("/"));
    }

    [Fact]
    public async Task A_session_opened_on_one_worker_is_valid_on_another_of_the_same_installation()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var first = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        await using var second = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday(), sharedDatabase: first.ConnectionString);
        using var browser = new PortalSession(first);
        var signedIn = await browser.SignInAsync(await first.Get<TokenService>().CreateAsync("901", default));
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(PortalAuthentication.CookieName + "=", StringComparison.Ordinal)).Split(';')[0];

        using var request = new HttpRequestMessage(HttpMethod.Get, "/nhap");
        request.Headers.Add("Cookie", cookie);
        var response = await second.Anonymous().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Xã Một Một", await response.Content.ReadAsStringAsync());
        // Shared through the database, not through a folder that only workers on one machine (as here) would share.
        await using var connection = new Npgsql.NpgsqlConnection(first.ConnectionString);
        await connection.OpenAsync();
        await using var keys = new Npgsql.NpgsqlCommand("select count(*) from data_protection_keys", connection);
        Assert.True((long)(await keys.ExecuteScalarAsync())! >= 1);
    }
}
