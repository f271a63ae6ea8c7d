using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Submissions;

/// <summary>The admin's per-unit view of a period: on time, late, missing, and rejected attempts.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SubmissionStatusTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private static DateTimeOffset Local(int day, int hour, int minute = 0) =>
        HaNoi.At(2026, 11, day, hour, minute);

    [Fact]
    public async Task The_admin_sees_each_unit_of_the_period_on_time_late_or_missing()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        var clock = new FakeTimeProvider(Local(27, 16, 59));
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, clock);
        var admin = app.Admin();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901())).StatusCode);
        var bad = """{ "unit": "902", "period": "2026-W48", "communes": [] }""";
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await admin.PostAsync("/api/submissions", new StringContent(bad, Encoding.UTF8, "application/json"))).StatusCode);

        var before = await admin.GetFromJsonAsync<JsonObject>("/api/admin/submissions/status");
        Assert.Equal("2026-W48", (string?)before!["period"]);
        Assert.False((bool)before["deadline_passed"]!);
        Assert.Equal((1, 0, 1), ((int)before["counts"]!["on_time"]!, (int)before["counts"]!["late"]!, (int)before["counts"]!["missing"]!));
        var units = before["units"]!.AsArray();
        Assert.Equal(["901", "902"], units.Select(u => (string?)u!["code"]));
        Assert.Equal(("on-time", 0), ((string?)units[0]!["status"], (int)units[0]!["rejected"]!));
        Assert.Equal(("missing", 1), ((string?)units[1]!["status"], (int)units[1]!["rejected"]!));   // trying, not yet through

        clock.SetUtcNow(Local(27, 17, 1));
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body902())).StatusCode);
        var after = await admin.GetFromJsonAsync<JsonObject>("/api/admin/submissions/status?period=2026-W48");
        Assert.True((bool)after!["deadline_passed"]!);
        Assert.Equal("late", (string?)after["units"]![1]!["status"]);
        Assert.NotNull((string?)after["units"]![1]!["submission_id"]);

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/admin/submissions/status?period=2026-11")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync("/api/admin/submissions/status")).StatusCode);
    }
}
