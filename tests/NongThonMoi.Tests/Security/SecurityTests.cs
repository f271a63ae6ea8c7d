using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Infrastructure.Security;
using NongThonMoi.Tests.Support;
using Npgsql;

namespace NongThonMoi.Tests.Security;

/// <summary>Issue 7 item 6: who may do what, how secrets are kept, and what an attacker can learn or try.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SecurityTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private static FakeTimeProvider Wednesday() => new(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }

    [Fact]
    public async Task Tokens_carry_at_least_128_random_bits_and_only_their_SHA256_is_stored()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var admin = app.Admin();
        var tokens = new List<string>();
        for (var i = 0; i < 5; i++) tokens.Add(await WalkingSkeletonTests.CreateTokenAsync(admin, i % 2 == 0 ? "901" : "902"));

        Assert.Equal(tokens.Count, tokens.Distinct().Count());
        foreach (var token in tokens)
        {
            Assert.StartsWith("ntm_", token);
            Assert.True(FromBase64Url(token[4..]).Length * 8 >= 128, token);
        }

        await using var connection = new NpgsqlConnection(app.ConnectionString);
        var rows = (await connection.QueryAsync<string>("select row_to_json(t)::text from submission_tokens t")).ToList();
        var hashes = (await connection.QueryAsync<byte[]>("select token_hash from submission_tokens")).ToList();
        Assert.Equal(tokens.Count, rows.Count);
        foreach (var token in tokens)
        {
            // Neither the token nor its random part appears in any column; its SHA-256 does.
            Assert.DoesNotContain(rows, r => r.Contains(token[4..], StringComparison.Ordinal));
            Assert.Contains(hashes, h => h.AsSpan().SequenceEqual(SHA256.HashData(Encoding.UTF8.GetBytes(token))));
        }

        // Scoped and revocable: a token of 902 cannot submit for 901, and a revoked one is refused.
        var district = app.District(tokens[1]);
        Assert.Equal(HttpStatusCode.Forbidden, (await district.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901())).StatusCode);
        await app.Get<NongThonMoi.Submissions.TokenService>().RevokeAsync("902", default);
        Assert.Equal(HttpStatusCode.Unauthorized, (await district.GetAsync("/api/submissions")).StatusCode);
    }

    /// <summary>Everything only the admin may see or do, and what the admin gets (no snapshot yet: latest is 404).</summary>
    public static TheoryData<string, string, HttpStatusCode> AdminOnly() => new()
    {
        { "GET", "/hangfire", HttpStatusCode.OK },
        { "GET", "/hangfire/jobs/succeeded", HttpStatusCode.OK },
        { "GET", "/hangfire/bao-cao-ntm", HttpStatusCode.OK },
        { "GET", "/metrics", HttpStatusCode.OK },
        { "GET", "/api/admin/bulletins", HttpStatusCode.OK },
        { "GET", "/api/admin/submissions/status", HttpStatusCode.OK },
        { "POST", "/api/admin/tokens", HttpStatusCode.Created },
        { "POST", "/api/admin/recompute", HttpStatusCode.Accepted },
        { "GET", "/api/indicators/latest", HttpStatusCode.NotFound },
    };

    [Theory]
    [MemberData(nameof(AdminOnly))]
    public async Task The_dashboard_and_admin_API_refuse_district_tokens_and_anonymous_callers(string method, string path, HttpStatusCode forAdmin)
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        var district = app.District(await WalkingSkeletonTests.CreateTokenAsync(app.Admin(), "901"));
        HttpRequestMessage Request() => new(new HttpMethod(method), path)
        {
            Content = method == "POST" ? JsonContent.Create(new { unit = "901" }) : null,
        };

        var asDistrict = await district.SendAsync(Request());
        // Known but not allowed: 403, not a request to log in.
        Assert.Equal(HttpStatusCode.Forbidden, asDistrict.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().SendAsync(Request())).StatusCode);
        // A caller from the server itself is no exception (Hangfire's own default lets local requests in).
        var local = app.Anonymous();
        local.DefaultRequestHeaders.Add("X-Forwarded-For", "127.0.0.1");
        Assert.Equal(HttpStatusCode.Unauthorized, (await local.SendAsync(Request())).StatusCode);
        // The same request as admin is served: the refusals above are about the caller, not a broken address.
        Assert.Equal(forAdmin, (await app.Admin().SendAsync(Request())).StatusCode);
    }

    [Fact]
    public async Task An_internal_error_shows_neither_the_connection_string_nor_a_stack_trace()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday());
        // A table gone from under the running worker: the query fails with a database error naming it.
        await using (var connection = new NpgsqlConnection(app.ConnectionString))
            await connection.ExecuteAsync("drop table submissions cascade");

        var response = await app.Admin().GetAsync("/api/submissions");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var builder = new NpgsqlConnectionStringBuilder(app.ConnectionString);
        foreach (var secret in new[] { app.ConnectionString, builder.Password ?? "Password=", builder.Database!, "submissions", "   at ", "Exception", "Npgsql" })
            Assert.DoesNotContain(secret, body, StringComparison.OrdinalIgnoreCase);
        Assert.Matches("[ỗệ]", (string?)JsonNode.Parse(body)!["detail"]); // the message is the Vietnamese one for people
    }

    private static HttpClient Basic(TestApp app, string user, string password)
    {
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }

    [Fact]
    public async Task The_admin_password_can_be_configured_as_a_PBKDF2_hash_with_no_plain_password()
    {
        const string password = "mật-khẩu-băm-2026";
        var hash = PasswordHash.Create(password, PasswordHash.MinIterations);
        Assert.DoesNotContain(password, hash, StringComparison.Ordinal);
        using var reference = new TestReference(TestReference.SmallProvince);
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, Wednesday(),
            settings: new Dictionary<string, string?> { ["Admin:Password"] = "", ["Admin:PasswordHash"] = hash });

        Assert.Equal(HttpStatusCode.OK, (await Basic(app, TestApp.AdminUser, password).GetAsync("/api/admin/submissions/status")).StatusCode);
        // Twice: the second is recognised without a new PBKDF2 run, and must still be right.
        Assert.Equal(HttpStatusCode.OK, (await Basic(app, TestApp.AdminUser, password).GetAsync("/api/admin/submissions/status")).StatusCode);
        foreach (var (user, wrong) in new[] { (TestApp.AdminUser, password + "x"), (TestApp.AdminUser, hash), (TestApp.AdminUser, TestApp.AdminPassword), ("khach", password) })
            Assert.Equal(HttpStatusCode.Unauthorized, (await Basic(app, user, wrong).GetAsync("/api/admin/submissions/status")).StatusCode);
    }

    [Theory]
    [InlineData("pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "iterations")]
    [InlineData("sha1$600000$c2FsdHNhbHRzYWx0c2FsdA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "form")]
    [InlineData("pbkdf2-sha256$600000$not base64$AAAA", "Base64")]
    [InlineData("pbkdf2-sha256$600000$c2FsdA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "salt")]
    public void A_malformed_password_hash_stops_the_start_naming_the_key(string hash, string says)
    {
        var validator = new AdminOptionsValidator();
        var result = validator.Validate(null, new AdminOptions { PasswordHash = hash });
        Assert.True(result.Failed);
        Assert.Contains("Admin:PasswordHash", result.FailureMessage);
        Assert.Contains(says, result.FailureMessage);
        // Both set is ambiguous: which one counts would be a guess.
        Assert.True(validator.Validate(null, new AdminOptions { Password = "long-enough", PasswordHash = PasswordHash.Create("x", PasswordHash.MinIterations) }).Failed);
        Assert.True(validator.Validate(null, new AdminOptions { PasswordHash = PasswordHash.Create("x", PasswordHash.MinIterations) }).Succeeded);
    }

    [Fact]
    public async Task Failed_logins_and_bad_tokens_from_one_client_are_answered_429_after_ten()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        var clock = Wednesday();
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, clock);
        var admin = app.Admin();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/admin/submissions/status")).StatusCode);

        for (var i = 0; i < LoginThrottle.FailuresPerWindow; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await Basic(app, TestApp.AdminUser, $"doan-{i}").GetAsync("/api/admin/submissions/status")).StatusCode);
        var refused = await Basic(app, TestApp.AdminUser, "doan-them").GetAsync("/api/admin/submissions/status");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("thử lại sau", (string?)(await refused.Content.ReadFromJsonAsync<JsonObject>())!["detail"]);
        // Blocked means not checked: even the right password waits for the window to end.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await admin.GetAsync("/api/admin/submissions/status")).StatusCode);
        // Another name from the same address (a district's code) is still checked: one person's typos lock out no one else.
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.District("ntm_doan-nua").GetAsync("/api/submissions")).StatusCode);
        // Callers without credentials are not throttled: the health check stays reachable.
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync("/health/live")).StatusCode);


        clock.Advance(LoginThrottle.Window);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/admin/submissions/status")).StatusCode);
    }
}
