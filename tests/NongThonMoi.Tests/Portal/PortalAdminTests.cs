using System.Net;
using System.Text.RegularExpressions;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Portal;

/// <summary>The admin's pages: every unit's state with the unit picker, and the access codes (create with a slip, list, revoke).</summary>
[Collection(DatabaseCollection.Name)]
public sealed partial class PortalAdminTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private static async Task<PortalSession> AdminAsync(TestApp app)
    {
        var admin = new PortalSession(app);
        var signedIn = await admin.PostFormAsync("/quan-tri/dang-nhap", [new("ten", TestApp.AdminUser), new("mat-khau", TestApp.AdminPassword)]);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return admin;
    }

    [Fact]
    public async Task The_admin_sees_every_units_state_and_works_for_a_unit_through_the_picker()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, PortalAccessTests.Wednesday());
        Assert.Equal(HttpStatusCode.Created, (await app.Admin().PostAsync("/api/submissions/file?unit=902&period=2026-W48", FileCsv.Body(FileCsv.Unit902))).StatusCode);
        using var admin = await AdminAsync(app);

        var overview = await admin.PageAsync("/");
        Assert.Contains("1 đúng hạn, 0 muộn, 1 chưa nộp (trên 2 đơn vị)", overview);
        Assert.Contains("href=\"/?unit=901\"", overview);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Client.GetAsync("/?unit=90101")).StatusCode); // a commune does not report

        var home = await admin.PageAsync("/?unit=901");
        Assert.Contains("Quản trị viên đang làm thay cho đơn vị này", home);
        Assert.Contains("action=\"/nop-tep?unit=901\"", home);
        var upload = await admin.UploadAsync("/nop-tep?unit=901", "tuan-48.csv", FileCsv.Bytes(FileCsv.Unit901), PortalSession.Token(home));
        Assert.Equal(HttpStatusCode.Redirect, upload.StatusCode);
        Assert.Contains("Quản trị viên", await admin.PageAsync(upload.Headers.Location!.OriginalString));
    }

    [Fact]
    public async Task A_code_is_created_shown_once_on_a_slip_listed_with_its_last_use_and_revoked()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, PortalAccessTests.Wednesday(),
            settings: new Dictionary<string, string?> { ["Web:PublicUrl"] = "https://ntm.langson.gov.vn" });
        using var admin = await AdminAsync(app);

        var created = await admin.PostFormAsync("/quan-tri/ma-truy-cap?handler=Create", [new("don-vi", "901")]);
        var slip = await created.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var code = CodePattern().Match(slip).Value;
        Assert.StartsWith("ntm_", code);
        Assert.Contains("Phiếu mã truy cập", slip);
        Assert.Contains("Huyện Một", slip);
        Assert.Contains("https://ntm.langson.gov.vn/", slip);
        Assert.Contains("Cách đăng nhập", slip);

        var list = await admin.PageAsync("/quan-tri/ma-truy-cap");
        Assert.DoesNotContain(code, list);
        Assert.Contains("Chưa dùng", list);

        using var district = new PortalSession(app);
        Assert.Equal(HttpStatusCode.Redirect, (await district.SignInAsync(code)).StatusCode);
        Assert.Contains("Huyện Một", await district.PageAsync("/"));
        list = await admin.PageAsync("/quan-tri/ma-truy-cap");
        Assert.DoesNotContain("Chưa dùng", list);
        Assert.Contains("10:00 ngày 25/11/2026", list);

        var id = RevokePattern().Match(list).Groups[1].Value;
        var revoked = await admin.PostFormAsync("/quan-tri/ma-truy-cap?handler=Revoke", [new("ma-so", id)]);
        Assert.Contains($"Đã thu hồi mã truy cập số {id}", await revoked.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await district.Client.GetAsync("/nhap")).StatusCode);
        Assert.Contains("không đúng hoặc đã bị thu hồi", await (await district.SignInAsync(code)).Content.ReadAsStringAsync());
    }

    [GeneratedRegex("ntm_[A-Za-z0-9_-]{20,}")]
    private static partial Regex CodePattern();

    [GeneratedRegex("""name="ma-so" value="(\d+)""")]
    private static partial Regex RevokePattern();
}
