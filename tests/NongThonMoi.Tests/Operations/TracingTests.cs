using System.Collections.Concurrent;
using System.Net;
using System.Text;
using NongThonMoi.Tests.Support;

namespace NongThonMoi.Tests.Operations;

/// <summary>
/// <c>Telemetry:OtlpEndpoint</c>: with it set, each request and the SQL it ran reach an OpenTelemetry collector over OTLP;
/// the collector here is a plain HTTP listener that keeps what is posted to it (OTLP/HTTP, protobuf).
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class TracingTests(PostgresFixture postgres, SmtpFixture smtp)
{
    [Fact]
    public async Task A_request_and_its_SQL_are_exported_to_the_collector()
    {
        var port = SmtpFixture.FreePort();
        using var collector = new HttpListener { Prefixes = { $"http://127.0.0.1:{port}/" } };
        collector.Start();
        var received = new ConcurrentQueue<(string Path, string? ContentType, byte[] Body)>();
        var listening = Task.Run(async () =>
        {
            while (collector.IsListening)
            {
                HttpListenerContext context;
                try { context = await collector.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                received.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType, body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });

        using var reference = new TestReference(TestReference.SmallProvince);
        await using (var app = await TestApp.StartAsync(postgres, smtp, reference.Directory, settings: new Dictionary<string, string?>
        {
            ["Telemetry:OtlpEndpoint"] = $"http://127.0.0.1:{port}/v1/traces",
            ["Telemetry:OtlpProtocol"] = "http/protobuf",
        }))
        {
            Assert.Equal(HttpStatusCode.OK, (await app.Admin().GetAsync("/api/admin/submissions/status")).StatusCode);
        } // stopping the app flushes the spans it still holds

        await Poll.UntilAsync(() => Task.FromResult(received.Any(r => Encoding.UTF8.GetString(r.Body).Contains("/api/admin/submissions/status"))),
            TimeSpan.FromSeconds(20), "the request's span at the collector");
        var exported = received.Where(r => r.Path == "/v1/traces").Select(r => Encoding.UTF8.GetString(r.Body)).ToList();
        Assert.All(received, r => Assert.Equal("application/x-protobuf", r.ContentType));
        Assert.Contains(exported, b => b.Contains("nongthonmoi"));                 // service.name
        Assert.Contains(exported, b => b.Contains("postgresql"));                  // Npgsql's span (db.system.name)
        collector.Stop();
        await listening;
    }
}
