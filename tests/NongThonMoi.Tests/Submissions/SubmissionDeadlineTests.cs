using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Submissions;

/// <summary>The due time (FRI 17:00) is local time in Hà Nội (UTC+7), whatever the server's clock zone.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SubmissionDeadlineTests(PostgresFixture postgres, SmtpFixture smtp)
{
    [Fact]
    public async Task A_report_at_16_59_on_the_due_Friday_is_on_time_and_one_at_17_01_is_accepted_and_marked_late()
    {
        // Friday 27/11/2026 16:59 in Asia/Ho_Chi_Minh is 09:59 UTC.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 9, 59, 0, TimeSpan.Zero));
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, clock,
            settings: new Dictionary<string, string?> { ["Schedule:TimeZone"] = "Asia/Ho_Chi_Minh", ["Reporting:Due"] = "FRI 17:00" });
        var district = app.District(await WalkingSkeletonTests.CreateTokenAsync(app.Admin(), "901"));

        var onTime = await district.PostAsync("/api/submissions/file?period=2026-W48", FileSubmissionTests.CsvBody(FileSubmissionTests.Csv901));
        Assert.Equal(HttpStatusCode.Created, onTime.StatusCode);
        Assert.False((bool)(await onTime.Content.ReadFromJsonAsync<JsonObject>())!["late"]!);

        clock.Advance(TimeSpan.FromMinutes(2)); // 17:01 local
        var late = await district.PostAsync("/api/submissions/file?period=2026-W48", FileSubmissionTests.CsvBody(FileSubmissionTests.Csv901.Replace(';', ',')));
        Assert.Equal(HttpStatusCode.Created, late.StatusCode);
        Assert.True((bool)(await late.Content.ReadFromJsonAsync<JsonObject>())!["late"]!);

        var listed = await district.GetFromJsonAsync<JsonObject>("/api/submissions?period=2026-W48");
        Assert.Equal([false, true], listed!["items"]!.AsArray().OrderBy(i => (DateTimeOffset)i!["received_at"]!).Select(i => (bool)i!["late"]!));
    }
}
