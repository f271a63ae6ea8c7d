using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Tests.Support;
using Npgsql;

namespace NongThonMoi.Tests.Submissions;

[Collection(DatabaseCollection.Name)]
public sealed class SubmissionSizeTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private const int FiveMegabytes = 5 * 1024 * 1024;
    private const string Url = "/api/submissions/file?unit=901&period=2026-W48";

    /// <summary>The small province's app on Wednesday 25 November 2026 (week 2026-W48).</summary>
    private Task<TestApp> StartAsync(TestReference reference) => TestApp.StartAsync(postgres, smtp, reference.Directory,
        new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)));

    /// <summary>A valid sheet padded with empty lines (which the reader skips) to exactly <paramref name="size"/> bytes.</summary>
    private static byte[] Sheet(int size)
    {
        var text = Encoding.UTF8.GetBytes(FileSubmissionTests.Csv901.ReplaceLineEndings("\n") + "\n");
        return [.. text, .. Enumerable.Repeat((byte)'\n', size - text.Length)];
    }

    [Fact]
    public async Task A_body_over_5_MB_is_refused_with_413_and_one_of_exactly_5_MB_is_read()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await StartAsync(reference);
        var admin = app.Admin();

        var fits = new ByteArrayContent(Sheet(FiveMegabytes));
        fits.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var accepted = await admin.PostAsync(Url, fits);
        Assert.True(accepted.StatusCode == HttpStatusCode.Created, await accepted.Content.ReadAsStringAsync());

        var tooLarge = new ByteArrayContent(Sheet(FiveMegabytes + 1));
        tooLarge.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var refused = await admin.PostAsync(Url, tooLarge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Contains("5 MB", (string?)(await refused.Content.ReadFromJsonAsync<JsonObject>())!["detail"]);

        var file = new ByteArrayContent(Sheet(FiveMegabytes + 1));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var form = new MultipartFormDataContent { { file, "file", "bao-cao.csv" } };
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await admin.PostAsync(Url, form)).StatusCode);

        // Nothing too large reached the archive: only the one that fit is listed.
        Assert.Single((await admin.GetFromJsonAsync<JsonObject>("/api/submissions?period=2026-W48"))!["items"]!.AsArray());
    }

    [Fact]
    public async Task A_body_sent_without_its_length_is_read_whole_up_to_the_same_limit()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await StartAsync(reference);
        var admin = app.Admin();

        // Chunked (no Content-Length): read a piece at a time, many pieces here, and archived byte for byte.
        var sheet = Sheet(100_000);
        var fits = new WithoutLength(sheet);
        fits.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var accepted = await admin.PostAsync(Url, fits);
        Assert.True(accepted.StatusCode == HttpStatusCode.Created, await accepted.Content.ReadAsStringAsync());
        var id = Guid.Parse((string)(await accepted.Content.ReadFromJsonAsync<JsonObject>())!["id"]!);
        await using (var db = new NpgsqlConnection(app.ConnectionString))
            Assert.Equal(sheet, await db.QuerySingleAsync<byte[]>("select body from submissions where id = @id", new { id }));

        var tooLarge = new WithoutLength(Sheet(FiveMegabytes + 1));
        tooLarge.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await admin.PostAsync(Url, tooLarge)).StatusCode);
    }

    /// <summary>A body whose length the client does not say, so it goes chunked.</summary>
    private sealed class WithoutLength(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
