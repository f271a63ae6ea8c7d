using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Bulletins;
using NongThonMoi.Infrastructure.Mail;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Bulletins;

/// <summary>
/// <c>Smtp:Connections</c>: a run goes out over several SMTP sessions at once, each claiming its own rows of the ledger,
/// and every member still gets exactly one message.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ParallelDeliveryTests(PostgresFixture postgres, SmtpFixture smtp)
{
    private const int Committees = 12;
    private const int MembersEach = 4;

    [Fact]
    public async Task Three_sessions_send_side_by_side_and_each_member_gets_one_message()
    {
        smtp.Reset();
        // A relay that takes a moment per message, as a real one does: one session would leave it idle between replies.
        smtp.Delay = TimeSpan.FromMilliseconds(150);
        try
        {
            var committees = Enumerable.Range(1, Committees).Select(c => new
            {
                id = $"bcd-song-song-{c:00}",
                name = $"Ban Chỉ đạo {c}",
                scope = c % 2 == 0 ? "province" : c % 4 == 1 ? "901" : "902",
                members = Enumerable.Range(1, MembersEach).Select(m => new { name = $"Thành viên {c}.{m}", email = $"ss{c:00}.{m}@parallel.example.vn" }).ToArray(),
            }).ToArray();
            using var reference = new TestReference(TestReference.SmallProvince, committees: committees);
            await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory,
                new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)),
                settings: new Dictionary<string, string?> { ["Smtp:Connections"] = "3" });
            Assert.Equal(HttpStatusCode.Created, (await app.Admin().PostAsJsonAsync("/api/submissions", WalkingSkeletonTests.Body901())).StatusCode);

            var result = await app.InScopeAsync<BulletinJob, RunResult>(j => j.SendAsync("2026-W48", null, false, default));

            Assert.Equal((Committees * MembersEach, 0, Committees * MembersEach), (result.Sent, result.Failed, result.Total));
            var messages = smtp.Messages.ToList();
            Assert.Equal(Committees * MembersEach, messages.Count);
            var perMember = messages.GroupBy(m => m.To.Mailboxes.Single().Address).ToList();
            Assert.Equal(Committees * MembersEach, perMember.Count);
            Assert.All(perMember, g => Assert.Single(g));
            // Each member got their own committee's bulletin (the composer is called from three lanes at once).
            Assert.All(messages, m => Assert.Equal(m.To.Mailboxes.Single().Address[2..4], m.Headers["X-NTM-Committee"]![^2..]));
            // The sessions really overlapped at the relay: more than one message was being received at once.
            Assert.InRange(smtp.MaxInFlight, 2, 3);
        }
        finally
        {
            smtp.Delay = TimeSpan.Zero;
        }
    }
}
