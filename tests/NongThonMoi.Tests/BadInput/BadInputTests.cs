using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Indicators;
using NongThonMoi.Programme;
using NongThonMoi.Tests.Submissions;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.BadInput;

/// <summary>
/// One application for the whole corpus: starting one per case would cost a database each and minutes in all, and the
/// cases cannot disturb one another — each is rejected, and the figures are checked unchanged after every one.
/// </summary>
public sealed class BadInputApp : IAsyncLifetime
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private TestReference? reference;
    private TestApp? app;

    public TestApp App => app ?? throw new InvalidOperationException("call StartAsync first");

    /// <summary>The figures before any bad body: districts 901 and 902 accepted, snapshot computed.</summary>
    public string Baseline { get; private set; } = "";

    public string DistrictToken { get; private set; } = "";

    public async Task StartAsync(PostgresFixture postgres, SmtpFixture smtp)
    {
        await gate.WaitAsync();
        try
        {
            if (app is not null) return;
            reference = new TestReference(TestReference.SmallProvince);
            // Wednesday 25/11/2026 in Hà Nội: period 2026-W48 is open and uses the 10-criteria set.
            app = await TestApp.StartAsync(postgres, smtp, reference.Directory, new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)));
            var admin = app.Admin();
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901())).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body902())).StatusCode);
            Baseline = await FiguresAsync();
            Assert.Contains("\"standard\":2", Baseline); // the baseline itself is real figures, not an empty snapshot
            DistrictToken = await WalkingSkeletonTests.CreateTokenAsync(admin, "901");
        }
        finally { gate.Release(); }
    }

    /// <summary>Recomputes now (not waiting for Hangfire) and returns the figures, without the time they were computed.</summary>
    public async Task<string> FiguresAsync()
    {
        await App.InScopeAsync<RecomputeJob, CalculationResult?>(j => j.ComputeAsync(ReportingPeriod.Parse("2026-W48"), false, default));
        var snapshot = (await App.Admin().GetFromJsonAsync<JsonObject>("/api/indicators/2026-W48"))!;
        return new JsonObject
        {
            ["province"] = snapshot["province"]!.DeepClone(),
            ["districts"] = snapshot["districts"]!.DeepClone(),
            ["submissions"] = snapshot["submissions"]!.DeepClone(),
        }.ToJsonString();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
        reference?.Dispose();
    }
}

/// <summary>
/// Issue 7 item 5: every bad submission — from the files in <c>BadInput/corpus/</c> (expected status first in the name)
/// and the ones whose bytes must be built (workbooks, zip bombs, oversize bodies) — is answered 4xx with a Vietnamese
/// problem+json message, is archived when it reached validation, and changes no figure.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed partial class BadInputTests(PostgresFixture postgres, SmtpFixture smtp, BadInputApp shared) : IClassFixture<BadInputApp>
{
    private const string FileUrl = "/api/submissions/file?unit=901&period=2026-W48";
    private const int FiveMegabytes = 5 * 1024 * 1024;

    private static string CorpusDirectory => Path.Combine(AppContext.BaseDirectory, "BadInput", "corpus");

    /// <summary>A body to send: the bytes, their media type, the address, whether a district (901) sends it, and the status due.</summary>
    public sealed record Case(byte[] Bytes, string ContentType, string Url, int Expected, bool AsDistrict = false);

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(CorpusDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal)) data.Add(file!);
        foreach (var name in Built.Keys.Order(StringComparer.Ordinal)) data.Add(name);
        return data;
    }

    [Fact]
    public void The_corpus_has_at_least_40_cases_across_JSON_CSV_and_xlsx()
    {
        var names = ((IEnumerable<object[]>)Cases()).Select(c => (string)c[0]).ToList();
        Assert.True(names.Count >= 40, $"{names.Count} cases");
        Assert.True(names.Count(n => n.EndsWith(".json", StringComparison.Ordinal)) >= 10);
        Assert.True(names.Count(n => n.EndsWith(".csv", StringComparison.Ordinal)) >= 10);
        Assert.True(names.Count(n => n.EndsWith(".xlsx", StringComparison.Ordinal)) >= 8);
        Assert.True(names.Count(n => n.EndsWith(".xls", StringComparison.Ordinal)) >= 8);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_submission_is_refused_with_a_Vietnamese_message_archived_and_changes_no_figure(string name)
    {
        await shared.StartAsync(postgres, smtp);
        var app = shared.App;
        var c = Load(name);
        using var client = c.AsDistrict ? app.District(shared.DistrictToken) : app.Admin();
        // A case that hangs the reader fails here instead of blocking the run.
        client.Timeout = TimeSpan.FromSeconds(30);
        var content = new ByteArrayContent(c.Bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(c.ContentType);

        var response = await client.PostAsync(c.Url, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == c.Expected, $"{name}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        var problem = JsonNode.Parse(text)!.AsObject();

        // The message a district reads: the detail, and each error when the body was read but broke rules.
        var messages = new List<string> { (string?)problem["detail"] ?? "" };
        if (c.Expected == 422) messages.AddRange(problem["errors"]!.AsArray().Select(e => (string?)e!["message"] ?? ""));
        Assert.All(messages, m => Assert.Matches(Vietnamese(), m));

        if (c.Expected is 400 or 422)
        {
            // Reached validation: archived verbatim, as rejected.
            var id = (string?)problem["id"];
            Assert.False(string.IsNullOrEmpty(id), $"{name}: no id in {text}");
            var archived = await app.Admin().GetFromJsonAsync<JsonObject>($"/api/submissions/{id}");
            Assert.Equal("rejected", (string?)archived!["status"]);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(c.Bytes)), (string?)archived["sha256"]);
        }

        Assert.Equal(shared.Baseline, await shared.FiguresAsync());
    }

    /// <summary>A letter only Vietnamese spelling uses: the message is written for the district, not a developer's English.</summary>
    [GeneratedRegex("[ăâđêôơưàáạảãằắặẳẵầấậẩẫèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ]", RegexOptions.IgnoreCase)]
    private static partial Regex Vietnamese();

    private static Case Load(string name)
    {
        if (Built.TryGetValue(name, out var build)) return build();
        var bytes = File.ReadAllBytes(Path.Combine(CorpusDirectory, name));
        var expected = int.Parse(name[..3], System.Globalization.CultureInfo.InvariantCulture);
        return name.EndsWith(".json", StringComparison.Ordinal)
            ? new Case(bytes, "application/json", "/api/submissions", expected)
            : new Case(bytes, "text/csv", FileUrl, expected);
    }

    private static Case Xlsx(byte[] bytes, int expected) => new(bytes, FileSubmissionTests.Xlsx, FileUrl, expected);

    private static Case Xls(byte[] bytes, int expected) => new(bytes, FileSubmissionTests.Xls, FileUrl, expected);

    /// <summary>Cases whose bytes are built here: workbooks, zips and sizes that do not belong in a text folder.</summary>
    private static readonly Dictionary<string, Func<Case>> Built = new(StringComparer.Ordinal)
    {
        ["400-not-a-zip.xlsx"] = () => Xlsx([.. "PK\u0003\u0004"u8, .. RandomNumberGenerator.GetBytes(4000)], 400),
        ["400-empty.xlsx"] = () => Xlsx([], 400),
        ["400-truncated.xlsx"] = () => Xlsx(Workbook()[..1500], 400),
        ["400-csv-sent-as.xlsx"] = () => Xlsx(Encoding.UTF8.GetBytes(FileSubmissionTests.Csv901), 400),
        ["400-zip-without-workbook.xlsx"] = () => Xlsx(Zip(("readme.txt", Encoding.UTF8.GetBytes("không phải bảng tính")), ("[Content_Types].xml", "<Types/>"u8.ToArray())), 400),
        ["400-zip-bomb.xlsx"] = () => Xlsx(ReplacePart(Workbook(), "xl/worksheets/sheet1.xml", Repeat("<row/>"u8.ToArray(), 300L * 1024 * 1024)), 400),
        ["400-huge-shared-strings.xlsx"] = () => Xlsx(ReplacePart(Workbook(), "xl/sharedStrings.xml", s =>
        {
            s.Write("<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"u8);
            Repeat(Encoding.UTF8.GetBytes("<si><t>Đạt</t></si>"), 120L * 1024 * 1024)(s);
            s.Write("</sst>"u8);
        }), 400),
        ["400-wrong-header.xlsx"] = () => Xlsx(XlsxSubmissionReaderTests.Workbook([new Dictionary<string, object?> { ["ma_xa"] = "90101", ["tinh_trang"] = "dat-chuan" }]), 400),
        ["422-formula-cells.xlsx"] = () => Xlsx(Workbook(("tc01", "=cmd|' /C calc'!A0"), ("tc02", "@SUM(A1:A9)")), 422),
        ["422-foreign-commune.xlsx"] = () => Xlsx(Workbook(("commune_code", "90201")), 422),
        ["422-html-status.xlsx"] = () => Xlsx(Workbook(("status", "<script>alert('xã')</script>")), 422),
        ["422-year-out-of-range.xlsx"] = () => Xlsx(Workbook(("recognized_year", 1850)), 422),
        ["400-empty.xls"] = () => Xls([], 400),
        ["400-not-ole2.xls"] = () => Xls(RandomNumberGenerator.GetBytes(4000), 400),
        ["400-truncated.xls"] = () => Xls(FileSubmissionTests.Xls901()[..1500], 400),
        ["400-ole2-not-a-workbook.xls"] = () => Xls(XlsWriter.Compound("WordDocument", RandomNumberGenerator.GetBytes(6000)), 400),
        ["400-ole2-garbage-workbook-stream.xls"] = () => Xls(XlsWriter.Compound("Workbook", RandomNumberGenerator.GetBytes(6000)), 400),
        ["400-huge-sector-size.xls"] = () => Xls(Patched(FileSubmissionTests.Xls901(), 30, 31), 400),
        ["400-fat-count-beyond-file.xls"] = () => Xls(Patched(FileSubmissionTests.Xls901(), 47, 0x7F), 400),
        ["400-xlsx-renamed.xls"] = () => Xls(Workbook(), 400),
        ["400-over-row-cap.xls"] = () => Xls(XlsWriter.Workbook([["commune_code", "status", "recognized_year", "tc01"],
            .. Enumerable.Range(0, 20_001).Select(i => new object?[] { 90101 + i, null, null, 1 })]), 400),
        ["422-foreign-commune.xls"] = () => Xls(XlsWriter.Workbook([["commune_code", "status", "recognized_year", "tc01", "tc02", "tc03", "tc04", "tc05", "tc06", "tc07", "tc08", "tc09", "tc10"],
            ["90201", "chua-dat", null, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]]), 422),
        ["413-oversize.xls"] = () => Xls([.. XlsWriter.Compound("Workbook", []), .. RandomNumberGenerator.GetBytes(FiveMegabytes)], 413),
        ["413-oversize.json"] = () => new([.. "{\"unit\":\"901\",\"period\":\"2026-W48\",\"communes\":[]"u8, .. Enumerable.Repeat((byte)' ', FiveMegabytes), .. "}"u8], "application/json", "/api/submissions", 413),
        ["413-oversize.csv"] = () => new([.. Encoding.UTF8.GetBytes(FileSubmissionTests.Csv901), .. Enumerable.Repeat((byte)'\n', FiveMegabytes)], "text/csv", FileUrl, 413),
        ["413-oversize.xlsx"] = () => Xlsx(RandomNumberGenerator.GetBytes(FiveMegabytes + 1), 413),
        ["403-another-units.json"] = () => new(Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(WalkingSkeletonTests.Body902())), "application/json", "/api/submissions", 403, AsDistrict: true),
    };

    /// <summary>District 901's valid workbook with some cells of the first commune (90101) replaced.</summary>
    private static byte[] Workbook(params (string Column, object? Value)[] changes)
    {
        var rows = FileSubmissionTests.Csv901.Split('\n').Skip(1).Select((line, i) =>
        {
            var cells = line.Trim().Split(';');
            var row = new Dictionary<string, object?> { ["commune_code"] = cells[0], ["status"] = cells[1], ["recognized_year"] = cells[2] };
            for (var k = 3; k < cells.Length; k++) row[$"tc{k - 2:00}"] = cells[k];
            if (i == 0) foreach (var (column, value) in changes) row[column] = value;
            return (IDictionary<string, object?>)row;
        });
        return XlsxSubmissionReaderTests.Workbook(rows);
    }

    /// <summary>The bytes with the one at <paramref name="offset"/> replaced: a compound-file header that lies.</summary>
    private static byte[] Patched(byte[] bytes, int offset, byte value)
    {
        var copy = bytes.ToArray();
        copy[offset] = value;
        return copy;
    }

    /// <summary>Writes <paramref name="unit"/> until <paramref name="total"/> bytes, straight into the zip entry: nothing that size is held in memory.</summary>
    private static Action<Stream> Repeat(byte[] unit, long total) => stream =>
    {
        var block = new byte[unit.Length * 4096];
        for (var i = 0; i < 4096; i++) unit.CopyTo(block, i * unit.Length);
        for (var written = 0L; written < total; written += block.Length) stream.Write(block);
    };

    private static byte[] Zip(params (string Name, byte[] Bytes)[] parts) =>
        Zip(parts.Select(p => (p.Name, (Action<Stream>)(s => s.Write(p.Bytes)))).ToArray());

    private static byte[] Zip((string Name, Action<Stream> Write)[] parts)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (partName, write) in parts)
            {
                using var entry = zip.CreateEntry(partName, CompressionLevel.Fastest).Open();
                write(entry);
            }
        return buffer.ToArray();
    }

    /// <summary>The workbook with one part replaced (or added): the package stays a real xlsx in every other way.</summary>
    private static byte[] ReplacePart(byte[] workbook, string part, Action<Stream> content)
    {
        using var source = new ZipArchive(new MemoryStream(workbook), ZipArchiveMode.Read);
        var parts = source.Entries.Where(e => e.FullName != part).Select(e =>
        {
            using var s = e.Open();
            using var copy = new MemoryStream();
            s.CopyTo(copy);
            var bytes = copy.ToArray();
            return (e.FullName, (Action<Stream>)(w => w.Write(bytes)));
        }).Append((part, content)).ToArray();
        return Zip(parts);
    }
}
