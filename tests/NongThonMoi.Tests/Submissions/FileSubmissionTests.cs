using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Submissions;

/// <summary>CSV and Excel uploads through the API, on the real application and database.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class FileSubmissionTests(PostgresFixture postgres, SmtpFixture smtp)
{
    /// <summary>Wednesday 25/11/2026 10:00 in Hà Nội: week 48, whose year uses the 10-criteria set.</summary>
    private static FakeTimeProvider Wednesday() => new(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));

    internal const string Csv901 = """
        commune_code;status;recognized_year;tc01;tc02;tc03;tc04;tc05;tc06;tc07;tc08;tc09;tc10
        90101;Đạt chuẩn;2026;Đạt;Đạt;Đạt;Đạt;Đạt;Đạt;Đạt;Đạt;Đạt;Đạt
        90102;chua-dat;;1;1;1;1;1;1;0;0;0;0
        90103;chua-dat;;x;x;Chưa đạt;0;0;0;0;0;0;0
        """;

    private static ByteArrayContent Body(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    internal static ByteArrayContent CsvBody(string text) =>
        Body([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\r\n").Normalize(NormalizationForm.FormD))], "text/csv");

    [Fact]
    public async Task A_CSV_file_is_accepted_on_both_submission_addresses_and_archived_as_csv()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var district = app.District(await WalkingSkeletonTests.CreateTokenAsync(app.Admin(), "901"));

        var response = await district.PostAsync("/api/submissions/file?period=2026-W48", CsvBody(Csv901));
        var answer = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, answer?.ToJsonString());
        var archived = await district.GetFromJsonAsync<JsonObject>($"/api/submissions/{answer!["id"]}");
        Assert.Equal("accepted", (string?)archived!["status"]);
        Assert.Equal("csv", ((string?)archived["format"])?.ToLowerInvariant());
        Assert.Equal("901", (string?)archived["unit"]);

        // The same sheet with a comma and LF, sent to /api/submissions as text/csv: a new body, accepted too.
        var again = await district.PostAsync("/api/submissions?unit=901&period=2026-W48", CsvBody(Csv901.Replace(';', ',')));
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.NotEqual((string?)answer["id"], (string?)(await again.Content.ReadFromJsonAsync<JsonObject>())!["id"]);
    }

    [Fact]
    public async Task A_CSV_file_with_bad_cells_is_rejected_with_every_error_and_kept_verbatim()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var admin = app.Admin();
        var bad = Csv901.Replace("90102;chua-dat;;1;1;1;1;1;1;0;0;0;0", "90102;chua-dat;;1;1;1;;1;1;0;0;0;0")
                        .Replace("90101;Đạt chuẩn;2026", "90101;Đạt chuẩn;");
        var body = CsvBody(bad);
        var bytes = await body.ReadAsByteArrayAsync();
        var response = await admin.PostAsync("/api/submissions/file?unit=901&period=2026-W48", body);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        var errors = problem!["errors"]!.AsArray();
        Assert.Contains(errors, e => (string?)e!["commune"] == "90102" && (string?)e["field"] == "tc04"
            && ((string?)e["message"])!.Contains("dòng 3 (xã 90102)"));
        Assert.Contains(errors, e => (string?)e!["commune"] == "90101" && (string?)e["field"] == "recognized_year");
        Assert.Equal(2, errors.Count);

        var id = Guid.Parse((string)problem["id"]!);
        Assert.Equal(bytes, await app.Get<NongThonMoi.Submissions.SubmissionStore>().GetBodyAsync(id, default));
    }

    internal const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    internal const string Xls = "application/vnd.ms-excel";

    /// <summary>The CSV sheet above as the rows of a workbook: numbers as numbers where a person would type them so.</summary>
    private static List<Dictionary<string, object?>> Sheet901() => Csv901.Split('\n').Skip(1).Select(line =>
    {
        var cells = line.Trim().Split(';');
        var row = new Dictionary<string, object?> { ["commune_code"] = cells[0], ["status"] = cells[1], ["recognized_year"] = cells[2].Length > 0 ? int.Parse(cells[2]) : null };
        for (var i = 3; i < cells.Length; i++) row[$"tc{i - 2:00}"] = int.TryParse(cells[i], out var n) ? n : cells[i];
        return row;
    }).ToList();

    private static byte[] Workbook901() => XlsxSubmissionReaderTests.Workbook(Sheet901());

    /// <summary>The same rows as <see cref="Workbook901"/>, saved as Excel 97–2003.</summary>
    internal static byte[] Xls901()
    {
        var rows = Sheet901();
        return XlsWriter.Workbook([rows[0].Keys.ToArray(), .. rows.Select(r => r.Values.ToArray())]);
    }

    /// <summary>The week's figures, recomputed now, without the time they were computed or which submission they came from.</summary>
    private static async Task<string> FiguresAsync(TestApp app)
    {
        await app.InScopeAsync<NongThonMoi.Indicators.RecomputeJob, NongThonMoi.Indicators.CalculationResult?>(
            j => j.ComputeAsync(NongThonMoi.Programme.ReportingPeriod.Parse("2026-W48"), false, default));
        var snapshot = (await app.Admin().GetFromJsonAsync<JsonObject>("/api/indicators/2026-W48"))!;
        var districts = snapshot["districts"]!.DeepClone().AsArray();
        foreach (var d in districts) d!.AsObject().Remove("submission_id");
        return new JsonObject { ["province"] = snapshot["province"]!.DeepClone(), ["districts"] = districts }.ToJsonString();
    }

    [Fact]
    public async Task An_xls_file_is_accepted_with_the_same_figures_as_the_same_sheet_in_xlsx()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var district = app.District(await WalkingSkeletonTests.CreateTokenAsync(app.Admin(), "901"));
        const string url = "/api/submissions/file?unit=901&period=2026-W48";

        Assert.Equal(HttpStatusCode.Created, (await district.PostAsync(url, Body(Workbook901(), Xlsx))).StatusCode);
        var fromXlsx = await FiguresAsync(app);
        Assert.Contains("\"standard\":1", fromXlsx); // real figures: 90101 meets the standard

        var bytes = Xls901();
        var response = await district.PostAsync(url, Body(bytes, Xls));
        var answer = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, answer?.ToJsonString());
        var archived = await district.GetFromJsonAsync<JsonObject>($"/api/submissions/{answer!["id"]}");
        Assert.Equal("xls", (string?)archived!["format"]);
        Assert.True((bool)archived["current"]!);
        Assert.Equal(bytes, await app.Get<NongThonMoi.Submissions.SubmissionStore>().GetBodyAsync(Guid.Parse((string)answer["id"]!), default));
        Assert.Equal(fromXlsx, await FiguresAsync(app));

        // Through a browser form, named .xls, sent as application/octet-stream: the same file, recognised as a repeat.
        using var form = new MultipartFormDataContent { { Body(bytes, "application/octet-stream"), "file", "bao-cao-tuan-48.xls" } };
        var repeat = await district.PostAsync("/api/submissions/file?period=2026-W48", form);
        Assert.Equal(HttpStatusCode.Created, repeat.StatusCode);
        Assert.Equal((string?)answer["id"], (string?)(await repeat.Content.ReadFromJsonAsync<JsonObject>())!["id"]);
    }

    [Fact]
    public async Task An_xlsx_file_is_accepted_as_a_body_or_as_a_multipart_upload()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var district = app.District(await WalkingSkeletonTests.CreateTokenAsync(app.Admin(), "901"));
        var bytes = Workbook901();

        var response = await district.PostAsync("/api/submissions/file?unit=901&period=2026-W48", Body(bytes, Xlsx));
        var answer = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, answer?.ToJsonString());
        var archived = await district.GetFromJsonAsync<JsonObject>($"/api/submissions/{answer!["id"]}");
        Assert.Equal("xlsx", ((string?)archived!["format"])?.ToLowerInvariant());
        Assert.Equal(bytes, await app.Get<NongThonMoi.Submissions.SubmissionStore>().GetBodyAsync(Guid.Parse((string)answer["id"]!), default));

        // The same file through a browser form: the file is what is archived, so it is recognised as a repeat.
        using var form = new MultipartFormDataContent { { Body(bytes, "application/octet-stream"), "file", "bao-cao-tuan-48.xlsx" } };
        var repeat = await district.PostAsync("/api/submissions/file?period=2026-W48", form);
        Assert.Equal(HttpStatusCode.Created, repeat.StatusCode);
        Assert.Equal((string?)answer["id"], (string?)(await repeat.Content.ReadFromJsonAsync<JsonObject>())!["id"]);
    }

    [Fact]
    public async Task A_district_cannot_send_a_file_for_another_unit()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var district = app.District(await WalkingSkeletonTests.CreateTokenAsync(app.Admin(), "902"));
        var response = await district.PostAsync("/api/submissions/file?unit=901&period=2026-W48", CsvBody(Csv901));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_file_sent_without_unit_or_period_in_the_address_says_how_to_add_them()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var response = await app.Admin().PostAsync("/api/submissions/file", CsvBody(Csv901));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsArray();
        Assert.Contains(errors, e => (string?)e!["field"] == "period" && ((string?)e["message"])!.Contains("?period=2026-W48"));
        Assert.Contains(errors, e => (string?)e!["field"] == "unit" && ((string?)e["message"])!.Contains("?unit="));
    }

    [Theory]
    [InlineData("text/plain", "text/csv")]
    [InlineData("application/pdf", "application/vnd.ms-excel")]
    public async Task Another_kind_of_file_is_a_415_saying_what_to_send(string contentType, string hint)
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var response = await app.Admin().PostAsync("/api/submissions/file?unit=901&period=2026-W48", Body("90101"u8.ToArray(), contentType));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains(hint, (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]);
    }

    [Fact]
    public async Task A_CSV_without_the_expected_header_is_a_400_naming_the_line()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var response = await app.Admin().PostAsync("/api/submissions/file?unit=901&period=2026-W48", CsvBody("ma_xa,tinh_trang\n90101,dat-chuan\n"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.StartsWith("dòng 1 (tiêu đề)", (string?)problem!["detail"]);
        Assert.Contains("commune_code", (string?)problem["detail"]);
    }
}
