using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using MiniExcelLibs;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Submissions;

/// <summary>Download the template, fill it in as district staff would, send it back: accepted.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SubmissionTemplateTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private static FakeTimeProvider Wednesday() => new(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));

    /// <summary>What district 901 answers for each of its communes: status, year, criteria met (of the 10 of 2026–2030).</summary>
    private static readonly Dictionary<string, (string Status, string Year, int Met)> Answers = new()
    {
        ["90101"] = ("Đạt chuẩn NTM", "2024", 10),
        ["90102"] = ("chua-dat", "", 7),
        ["90103"] = ("Chưa đạt", "", 2),
    };

    private static ByteArrayContent Content(byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        return content;
    }

    [Fact]
    public async Task The_CSV_template_filled_in_and_sent_back_is_accepted()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var district = app.District(await WalkingSkeletonTests.CreateTokenAsync(app.Admin(), "901"));

        var response = await district.GetAsync("/api/templates/submission.csv?unit=901");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("commune_code,commune_name,status,recognized_year,tc01,tc02,tc03,tc04,tc05,tc06,tc07,tc08,tc09,tc10", lines[0]);
        Assert.Equal(["90101,Xã Một Một", "90102,Xã Một Hai", "90103,Xã Một Ba"], lines[1..].Select(l => string.Join(',', l.Split(',')[..2])));

        // Fill in the empty cells, as someone would in a spreadsheet.
        var filled = new StringBuilder(lines[0]).Append("\r\n");
        foreach (var line in lines[1..])
        {
            var cells = line.Split(',');
            var (status, year, met) = Answers[cells[0]];
            cells[2] = status;
            cells[3] = year;
            for (var i = 4; i < cells.Length; i++) cells[i] = i - 3 <= met ? "Đạt" : "0";
            filled.Append(string.Join(',', cells)).Append("\r\n");
        }
        var upload = await district.PostAsync("/api/submissions/file?period=2026-W48",
            Content([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(filled.ToString())], "text/csv"));
        var answer = await upload.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(upload.StatusCode == HttpStatusCode.Created, answer?.ToJsonString());
        Assert.Empty(answer!["warnings"]!.AsArray());
    }

    [Fact]
    public async Task The_Excel_template_filled_in_and_sent_back_is_accepted_and_explains_the_criteria()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var district = app.District(await WalkingSkeletonTests.CreateTokenAsync(app.Admin(), "901"));

        var response = await district.GetAsync("/api/templates/submission.xlsx?unit=901");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FileSubmissionTests.Xlsx, response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();

        using (var stream = new MemoryStream(bytes))
        {
            Assert.Equal(["BaoCao", "HuongDan"], stream.GetSheetNames());
            var guide = stream.Query(useHeaderRow: true, sheetName: "HuongDan").Cast<IDictionary<string, object?>>().ToList();
            Assert.Contains(guide, r => (string?)r["Cột"] == "tc01" && (string?)r["Nội dung"] == "Tiêu chí 1. Quy hoạch");
            Assert.Contains(guide, r => (string?)r["Cột"] == "tc10");
            Assert.DoesNotContain(guide, r => (string?)r["Cột"] == "tc11");
            Assert.Contains(guide, r => (string?)r["Cột"] == "status" && ((string?)r["Nội dung"])!.Contains("dat-chuan (Đạt chuẩn NTM)"));
        }

        List<IDictionary<string, object?>> rows;
        using (var stream = new MemoryStream(bytes))
            rows = stream.Query(useHeaderRow: true).Cast<IDictionary<string, object?>>().Select(r => (IDictionary<string, object?>)new Dictionary<string, object?>(r)).ToList();
        Assert.Equal(["90101", "90102", "90103"], rows.Select(r => r["commune_code"]?.ToString()));
        Assert.Equal("Xã Một Ba", rows[2]["commune_name"]);
        Assert.IsType<string>(rows[0]["commune_code"]); // a text cell, so a code like 06190 keeps its zero in Excel
        foreach (var row in rows)
        {
            var (status, year, met) = Answers[row["commune_code"]!.ToString()!];
            row["status"] = status;
            row["recognized_year"] = year.Length > 0 ? int.Parse(year) : null;
            for (var n = 1; n <= 10; n++) row[$"tc{n:00}"] = n <= met ? 1 : "Chưa đạt";
        }
        var upload = await district.PostAsync("/api/submissions/file?unit=901&period=2026-W48",
            Content(XlsxSubmissionReaderTests.Workbook(rows), FileSubmissionTests.Xlsx));
        var answer = await upload.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(upload.StatusCode == HttpStatusCode.Created, answer?.ToJsonString());
    }

    [Fact]
    public async Task A_district_gets_only_its_own_template_and_the_admin_any()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var district = app.District(await WalkingSkeletonTests.CreateTokenAsync(app.Admin(), "902"));
        Assert.Equal(HttpStatusCode.Forbidden, (await district.GetAsync("/api/templates/submission.csv?unit=901")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync("/api/templates/submission.csv?unit=901")).StatusCode);
        var own = await district.GetStringAsync("/api/templates/submission.csv");
        Assert.Contains("90202,Xã Hai Hai", own);
        Assert.DoesNotContain("90101", own);
        Assert.Equal(HttpStatusCode.OK, (await app.Admin().GetAsync("/api/templates/submission.xlsx?unit=901")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Admin().GetAsync("/api/templates/submission.xlsx?unit=90101")).StatusCode);
    }
}
