using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using NongThonMoi.Bulletins;
using NongThonMoi.Infrastructure.Mail;
using NongThonMoi.Tests.Support;
using Xunit.Abstractions;

namespace NongThonMoi.Tests.Reliability;

/// <summary>
/// The relay's connection dies in the middle of DATA (a proxy between the worker and the real SMTP server cuts it after
/// the first bytes of the body): the message never got a 250, so it is retried on a new connection, with the same
/// Message-Id, and nobody receives it twice.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class DroppedConnectionTests(PostgresFixture postgres, SmtpFixture smtp, ITestOutputHelper output)
{
    private static string[] Members(string tag) => [$"tinh-{tag}@example.vn", $"mot-{tag}@example.vn", $"mot2-{tag}@example.vn", $"hai-{tag}@example.vn"];

    private static TestReference Province(string[] members) => new(TestReference.SmallProvince, committees: new object[]
        {
            new { id = "bcd-tinh", name = "Ban Chỉ đạo tỉnh", scope = "province", members = new[] { new { name = "Văn phòng tỉnh", email = members[0] } } },
            new { id = "bcd-901", name = "Ban Chỉ đạo huyện Một", scope = "901",
                  members = new[] { new { name = "Văn phòng huyện Một", email = members[1] }, new { name = "Phó văn phòng", email = members[2] } } },
            new { id = "bcd-902", name = "Ban Chỉ đạo huyện Hai", scope = "902", members = new[] { new { name = "Văn phòng huyện Hai", email = members[3] } } },
        });

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_connection_cut_in_the_middle_of_DATA_is_retried_on_a_new_connection_with_the_same_Message_Id(int drops)
    {
        smtp.Reset();
        var members = Members($"drop{drops}");
        using var reference = Province(members);
        await using var proxy = new DropProxy(smtp.Port, drops);
        // A fake clock, moved on by the test to each retry: the backoff costs no real time.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, clock,
            settings: new Dictionary<string, string?> { ["Smtp:Port"] = proxy.Port.ToString(CultureInfo.InvariantCulture) });

        var watch = Stopwatch.StartNew();
        var result = await RetryClock.AdvanceUntilDoneAsync(app.InScopeAsync<BulletinJob, RunResult>(j => j.SendAsync(null, null, false, default)),
            clock, app.ConnectionString, $"the run through {drops} cut connections");
        watch.Stop();

        // The proxy really cut that many messages mid-DATA, and the worker opened a new connection after each cut.
        Assert.Equal(0, proxy.DropsLeft);
        var dropped = proxy.Dropped.ToList();
        Assert.Equal(drops, dropped.Count);
        Assert.True(proxy.Connections >= drops + 1, $"{proxy.Connections} connections for {drops} drops");

        // Everyone served exactly once at the real server: a message cut before its end was never stored.
        Assert.Equal(4, result.Sent);
        Assert.Equal(members.Length, smtp.Messages.Count);
        var ledger = (await app.Admin().GetFromJsonAsync<JsonObject>("/api/admin/bulletins"))!["items"]!.AsArray();
        Assert.Equal(members.Length, ledger.Count);
        foreach (var member in members)
        {
            var message = Assert.Single(smtp.To(member));
            var row = ledger.Single(d => (string?)d!["recipient"] == member)!;
            Assert.Equal("sent", (string?)row["status"]);
            Assert.Equal((string?)row["message_id"], message.MessageId);
            Assert.Equal(dropped.Contains(member) ? 2 : 1, (int)row["attempts"]!);   // the cut one: its failed attempt counted, then sent
        }

        // Running the job again (Hangfire's retry) sends nobody a second copy.
        var again = await app.InScopeAsync<BulletinJob, RunResult>(j => j.SendAsync(null, null, false, default));
        Assert.Equal(0, again.Sent);
        Assert.Equal(members.Length, smtp.Messages.Count);
        output.WriteLine($"drop mid-DATA ×{drops}: {result.Sent}/{members.Length} delivered, {smtp.Messages.Count - members.Length} duplicates, " +
                         $"{proxy.Connections} connections, cut: {string.Join(" ", dropped)}, {watch.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>
    /// The unavoidable case: the relay stored the message and answered 250, but the answer was lost with the connection.
    /// The worker cannot know, so it sends again; the repeat carries the same Message-Id, which mail clients fold into one.
    /// </summary>
    [Fact]
    public async Task A_connection_cut_after_the_relay_stored_the_message_but_before_its_250_repeats_it_with_the_same_Message_Id()
    {
        smtp.Reset();
        var members = Members("noreply");
        using var reference = Province(members);
        await using var proxy = new DropProxy(smtp.Port, 1, DropProxy.DropPoint.BeforeReply);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, clock,
            settings: new Dictionary<string, string?> { ["Smtp:Port"] = proxy.Port.ToString(CultureInfo.InvariantCulture) });

        var result = await RetryClock.AdvanceUntilDoneAsync(app.InScopeAsync<BulletinJob, RunResult>(j => j.SendAsync(null, null, false, default)),
            clock, app.ConnectionString, "the run through the lost 250");

        var cut = Assert.Single(proxy.Dropped);
        Assert.Equal(4, result.Sent);
        var ledger = (await app.Admin().GetFromJsonAsync<JsonObject>("/api/admin/bulletins"))!["items"]!.AsArray();
        foreach (var member in members)
        {
            var row = ledger.Single(d => (string?)d!["recipient"] == member)!;
            Assert.Equal("sent", (string?)row["status"]);
            var copies = smtp.To(member);
            Assert.Equal(member == cut ? 2 : 1, copies.Count);   // only the member whose 250 was lost gets a repeat
            Assert.All(copies, m => Assert.Equal((string?)row["message_id"], m.MessageId));
            Assert.Equal(member == cut ? 2 : 1, (int)row["attempts"]!);
        }
        output.WriteLine($"cut before the 250: {smtp.Messages.Count} messages for {members.Length} members, the repeat to {cut} with the same Message-Id");
    }
}
