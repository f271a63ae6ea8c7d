using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Submissions;

[Collection(DatabaseCollection.Name)]
public sealed class SubmissionSizeTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private const int FiveMegabytes = 5 * 1024 * 1024;

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
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory,
            new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)));
        var admin = app.Admin();
        const string url = "/api/submissions/file?unit=901&period=2026-W48";

        var fits = new ByteArrayContent(Sheet(FiveMegabytes));
        fits.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var accepted = await admin.PostAsync(url, fits);
        Assert.True(accepted.StatusCode == HttpStatusCode.Created, await accepted.Content.ReadAsStringAsync());

        var tooLarge = new ByteArrayContent(Sheet(FiveMegabytes + 1));
        tooLarge.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var refused = await admin.PostAsync(url, tooLarge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Contains("5 MB", (string?)(await refused.Content.ReadFromJsonAsync<JsonObject>())!["detail"]);

        var file = new ByteArrayContent(Sheet(FiveMegabytes + 1));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var form = new MultipartFormDataContent { { file, "file", "bao-cao.csv" } };
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await admin.PostAsync(url, form)).StatusCode);

        // Nothing too large reached the archive: only the one that fit is listed.
        Assert.Single((await admin.GetFromJsonAsync<JsonObject>("/api/submissions?period=2026-W48"))!["items"]!.AsArray());
    }
}
