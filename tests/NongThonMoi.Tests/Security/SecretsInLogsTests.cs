using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Tests.Support;
using Npgsql;

namespace NongThonMoi.Tests.Security;

/// <summary>Issue 7 item 6: no token, password or connection-string password in anything the worker logs, at any level.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SecretsInLogsTests(PostgresFixture postgres, SmtpFixture smtp)
{
    [Fact]
    public async Task Tokens_passwords_and_the_database_password_never_reach_the_logs()
    {
        using var reference = new TestReference(TestReference.SmallProvince);
        // The worker connects as a role with a password, so that password is one of the secrets looked for below.
        var (database, databasePassword) = await postgres.CreateDatabaseWithPasswordAsync();
        // Captured from the start: a connection string logged while the data source is built or the migrations run
        // would otherwise go out before anyone listens.
        var capture = new LogCapture();
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory,
            new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)),
            settings: new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace" }, sharedDatabase: database, logs: capture);
        Assert.Equal(databasePassword, new NpgsqlConnectionStringBuilder(app.ConnectionString).Password);
        Assert.Contains(capture.Lines, l => l.Contains("Migrat", StringComparison.OrdinalIgnoreCase)); // the start-up is in the capture

        var token = await WalkingSkeletonTests.CreateTokenAsync(app.Admin(), "901");
        var district = app.District(token);
        Assert.Equal(HttpStatusCode.Created, (await district.PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901())).StatusCode);
        const string wrongPassword = "sai-mat-khau-khong-duoc-ghi-log";
        var wrong = app.Anonymous();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{wrongPassword}")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/api/admin/submissions/status")).StatusCode);
        const string guessedToken = "ntm_doan-thu-khong-duoc-ghi-log";
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.District(guessedToken).GetAsync("/api/submissions")).StatusCode);
        // An internal error, whose exception is logged in full.
        await using (var connection = new NpgsqlConnection(app.ConnectionString))
            await connection.ExecuteAsync("drop table submissions cascade");
        Assert.Equal(HttpStatusCode.InternalServerError, (await app.Admin().GetAsync("/api/submissions")).StatusCode);

        var log = string.Join('\n', capture.Lines);
        Assert.Contains("token:", log, StringComparison.Ordinal); // the submission was logged, by token id: the capture works
        foreach (var secret in new[] { token, token[4..], TestApp.AdminPassword, wrongPassword, guessedToken, databasePassword })
            Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
    }
}
