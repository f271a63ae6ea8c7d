using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Reliability;

/// <summary>
/// Reporting:LockAfterDays closes a period to the districts some days after its deadline; only the
/// admin may still add to it (always as late). Week 2026-W48's deadline is Friday 27/11/2026 17:00 in
/// Hà Nội (UTC+7), i.e. 10:00 UTC; with 7 days the lock falls on Friday 04/12/2026 10:00 UTC.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class LockAfterDaysTests(PostgresFixture postgres, SmtpFixture smtp)
{
    // UTC instants: Npgsql refuses to write a DateTimeOffset with a non-zero offset to timestamptz.
    private static readonly DateTimeOffset LockInstant = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, string?> Lock(int days) => new() { ["Reporting:LockAfterDays"] = days.ToString() };

    private static async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/submissions", body);
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>())!);
    }

    [Fact]
    public async Task After_the_lock_a_district_is_refused_on_the_period()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        // One minute past the lock.
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, new FakeTimeProvider(LockInstant.AddMinutes(1)), settings: Lock(7));
        var district = app.District(await WalkingSkeletonTests.CreateTokenAsync(app.Admin(), "901"));

        var (status, problem) = await PostAsync(district, WalkingSkeletonTests.Body901());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var error = Assert.Single(problem["errors"]!.AsArray(), e => (string?)e!["field"] == "period");
        // The district must learn that the period is closed (not that it is malformed) and whom to ask.
        Assert.Contains("khóa sổ", (string?)error!["message"]);
        Assert.Contains("2026-W48", (string?)error["message"]);

    }

    [Fact]
    public async Task After_the_lock_the_admin_is_still_accepted_as_late_even_with_the_body_the_district_was_refused()
    {
        // The path the refusal itself points to: the district is told to contact the province office, which
        // sends the very same file. A refusal depends on who sends it, so the repeat is judged again.
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, new FakeTimeProvider(LockInstant.AddMinutes(1)), settings: Lock(7));
        var district = app.District(await WalkingSkeletonTests.CreateTokenAsync(app.Admin(), "901"));
        var (refused, first) = await PostAsync(district, WalkingSkeletonTests.Body901());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused);
        var (again, second) = await PostAsync(district, WalkingSkeletonTests.Body901());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again);
        Assert.Equal((string?)first["id"], (string?)second["id"]);   // refused again for the same reason: no second copy

        var (status, accepted) = await PostAsync(app.Admin(), WalkingSkeletonTests.Body901());
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("accepted", (string?)accepted["status"]);
        Assert.True((bool)accepted["late"]!);
        Assert.NotEqual((string?)first["id"], (string?)accepted["id"]);

        // Both judgements stay in the archive; the accepted one is what counts and what a repeat now gets.
        var listed = await app.Admin().GetFromJsonAsync<JsonObject>("/api/submissions?period=2026-W48");
        Assert.Equal(["accepted", "rejected"], listed!["items"]!.AsArray().Select(i => (string?)i!["status"]).Order());
        var (repeat, same) = await PostAsync(district, WalkingSkeletonTests.Body901());
        Assert.Equal((HttpStatusCode.Created, (string?)accepted["id"]), (repeat, (string?)same["id"]));
    }

    [Fact]
    public async Task Just_before_the_lock_a_district_is_still_accepted_as_late()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, new FakeTimeProvider(LockInstant.AddMinutes(-1)), settings: Lock(7));
        var district = app.District(await WalkingSkeletonTests.CreateTokenAsync(app.Admin(), "901"));

        var (status, accepted) = await PostAsync(district, WalkingSkeletonTests.Body901());
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.True((bool)accepted["late"]!);
    }

    [Fact]
    public async Task The_default_never_locks()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        // A year after the deadline, no setting: the district may still submit (late).
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, new FakeTimeProvider(LockInstant.AddDays(365)));
        var district = app.District(await WalkingSkeletonTests.CreateTokenAsync(app.Admin(), "901"));

        var (status, accepted) = await PostAsync(district, WalkingSkeletonTests.Body901());
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.True((bool)accepted["late"]!);
    }
}
