using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace NongThonMoi.Tests.Support;

/// <summary>
/// What the process tests of a bulletin run share: a slow relay (so a run is really in flight), a province with many
/// members, a worker process on a given database, and the admin's send request.
/// </summary>
public static class BulletinProcesses
{
    public static SmtpFixture SlowRelay(TimeSpan delay)
    {
        var relay = SmtpFixture.StartOn(SmtpFixture.FreePort());
        relay.Delay = delay;
        return relay;
    }

    /// <summary>Two committees: the province's with the first 20 addresses, district 901's with the rest.</summary>
    public static TestReference ManyMembers(string[] emails) => new(TestReference.SmallProvince, committees: new object[]
    {
        new { id = "bcd-tinh", name = "Ban Chỉ đạo tỉnh", scope = "province",
              members = emails[..20].Select(e => new { name = e[..8], email = e }).ToArray() },
        new { id = "bcd-901", name = "Ban Chỉ đạo huyện Một", scope = "901",
              members = emails[20..].Select(e => new { name = e[..8], email = e }).ToArray() },
    });

    /// <summary>A worker process on <paramref name="database"/>, sending to <paramref name="relay"/> over one SMTP session.</summary>
    public static WorkerProcess Worker(string name, string database, TestReference reference, SmtpFixture relay,
        IReadOnlyDictionary<string, string>? extra = null, bool deferred = false)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:NongThonMoi"] = database,
            ["Reference:Directory"] = reference.Directory,
            ["Smtp:Port"] = relay.Port.ToString(CultureInfo.InvariantCulture),
            // One SMTP session, so that the kill finds exactly one message in flight (the one repeat a crash may make).
            ["Smtp:Connections"] = "1",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) settings[k] = v;
        return deferred ? WorkerProcess.Create(name, settings) : WorkerProcess.Start(name, settings);
    }

    /// <summary><c>POST /api/admin/bulletins/send</c> as the admin; the Hangfire job id of the answer.</summary>
    public static async Task<long> SendBulletinAsync(WorkerProcess worker, string query = "")
    {
        using var admin = worker.Admin();
        var answer = await admin.PostAsync("/api/admin/bulletins/send" + query, null);
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        return long.Parse((string)(await answer.Content.ReadFromJsonAsync<JsonObject>())!["job_id"]!, CultureInfo.InvariantCulture);
    }
}
